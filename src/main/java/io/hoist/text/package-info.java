/**
 * How hoist writes quantities for people: sizes ("1.5 KiB") and tenths ("2.3s"), one way in every
 * message and table. Depends on nothing of ours.
 */
package io.hoist.text;
