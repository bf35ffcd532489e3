package io.hoist.model;

/** How far a single hop may go ({@code release.max_step}). */
public enum MaxStep {
  /** Any release may follow any older one, subject to upgrade paths. */
  ANY,
  /** One major release per hop: 3.x may go to any 4.y but not to 5.0. */
  MAJOR,
  /**
   * One minor release per hop (Aviatrix): 3.3.x may go to 3.4.y, not to 3.5; from the last minor of
   * a major to {@code N+1.0.y}.
   */
  MINOR
}
