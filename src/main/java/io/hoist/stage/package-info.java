/**
 * Staging a release on one node, as {@code hoist version prepare} and {@code upgrade
 * --prepare-only} do: upload the verified bundle, unpack it into {@code HOME/releases/VERSION}
 * beside the running release, mark it as staged by hoist, and prune old staged releases. Never
 * switches {@code HOME/current}; fanning out over nodes is {@code run}'s job. Depends on {@code
 * model}, {@code command}, {@code release}, {@code transport} (the interfaces only) and {@code
 * error}.
 */
package io.hoist.stage;
