/**
 * Running work across nodes: bounded fan-out, the release service, and the rolling cluster run
 * ({@link io.hoist.run.ClusterRun}: hops, batches, serial roles with the leader last, hooks).
 * Depends on {@code model}, {@code plan}, {@code release}, {@code inspect}, {@code stage}, {@code
 * phase}, {@code transport} (the interface only) and {@code error}.
 */
package io.hoist.run;
