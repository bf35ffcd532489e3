/**
 * Command templates: parsing {@code ${name}} references, validating and shell-quoting substituted
 * values, masking secrets. Depends on nothing of ours.
 */
package io.hoist.command;
