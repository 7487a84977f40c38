// Upper bounds of the model keys a pipeline spec and `rareflow train` both take: the spec's schema and train's flags
// check them from here, so a value one refuses the other refuses too.

/** Most trees of a forest. */
export const MAX_TREES = 100_000;
/** Most boosting iterations of gradient-boosted trees. */
export const MAX_BOOSTING_ITERATIONS = 100_000;
/** Most leaves of one boosted tree. */
export const MAX_LEAF_NODES = 65_536;
/** Largest L2 penalty per row of a logistic regression. */
export const MAX_L2 = 1e6;
