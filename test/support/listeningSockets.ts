// Which addresses a process listens on, read from Linux's /proc (no ss or netstat needed): the TCP sockets in
// LISTEN state whose inodes are among the process's open file descriptors.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ListeningSocket {
  address: string;
  port: number;
}

/** IPv4 `0100007F` → 127.0.0.1; IPv6 32 hex digits (four little-endian words) → its full form. */
function decodeAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    const bytes = [3, 2, 1, 0].map((i) => word.slice(i * 2, i * 2 + 2));
    words.push(`${bytes[0]}${bytes[1]}`, `${bytes[2]}${bytes[3]}`);
  }
  return words.map((g) => g.toLowerCase()).join(':');
}

/** Every listening TCP socket of the network namespace, by inode. */
function listeningByInode(): Map<string, ListeningSocket> {
  const out = new Map<string, ListeningSocket>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue;
      const [addr, port] = f[1]!.split(':');
      out.set(f[9]!, { address: decodeAddress(addr!), port: parseInt(port!, 16) });
    }
  }
  return out;
}

function socketInodes(pid: number): string[] {
  const inodes: string[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.push(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** The addresses and ports `pid` listens on. */
export function listeningSocketsOf(pid: number): ListeningSocket[] {
  const all = listeningByInode();
  return socketInodes(pid)
    .map((i) => all.get(i))
    .filter((s): s is ListeningSocket => s !== undefined)
    .sort((a, b) => a.port - b.port);
}

/** The process listening on `port`, found through the socket's inode among every process's descriptors. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set([...listeningByInode()].filter(([, s]) => s.port === port).map(([inode]) => inode));
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (socketInodes(Number(name)).some((i) => inodes.has(i))) return Number(name);
  }
  return undefined;
}

export const LOOPBACK = new Set(['127.0.0.1', '0000:0000:0000:0000:0000:0000:0000:0001']);
