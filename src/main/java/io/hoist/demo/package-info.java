/**
 * The sandbox behind {@code hoist demo}: a throwaway cluster of local nodes (directories with a
 * small product script), a file repository with real release bundles, and its cluster file. Depends
 * on nothing of ours; writes only below the directory it is given.
 */
package io.hoist.demo;
