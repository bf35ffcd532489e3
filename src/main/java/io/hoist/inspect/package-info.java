/**
 * Read-only looks at one node: the checks of {@code hoist inspect} (reachable, version readable,
 * free space, the file's checks) and reading its running version for a plan. Never changes a node;
 * fanning out over many nodes is {@code run}'s job. Depends on {@code model}, {@code command},
 * {@code release}, {@code transport} (the interface) and {@code error}.
 */
package io.hoist.inspect;
