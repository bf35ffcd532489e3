/**
 * The plan of an upgrade as data: hops (one per intermediate release), batches in role order, and
 * each node's phases with their exact commands. {@code --dry-run} prints it, the run executes it,
 * the journal records it. Pure: depends on {@code model}, {@code release}, {@code command} and
 * {@code error}; never touches a node.
 */
package io.hoist.plan;
