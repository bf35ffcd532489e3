/**
 * The cluster as hoist understands it: immutable records built by {@code io.hoist.config} from the
 * cluster file. Command strings here are unrendered templates ({@code ${version}} etc.). Depends on
 * nothing of ours.
 */
package io.hoist.model;
