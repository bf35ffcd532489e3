/**
 * Running work across nodes: bounded fan-out (and, with the upgrade issue, the cluster run and its
 * strategies). Depends on {@code model}, {@code plan}, {@code release}, {@code inspect}, {@code
 * transport} (the interface only) and {@code error}.
 */
package io.hoist.run;
