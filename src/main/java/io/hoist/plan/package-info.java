/**
 * The plan of an upgrade as data: hops (one per intermediate release), batches in role order, and
 * each node's phases with their exact commands. {@code --dry-run} prints it, the run executes it,
 * the journal records it. {@link io.hoist.plan.Planner} builds it from a {@link
 * io.hoist.plan.PlanRequest}: kato's ordering (earliest role in the order places a node, unplaced
 * nodes last, file order breaks ties), batches bounded by the roles' {@code max_parallel} and
 * {@code --max-parallel}, serial roles one node per batch. Pure: depends on {@code model}, {@code
 * release}, {@code command} and {@code error}; never touches a node.
 */
package io.hoist.plan;
