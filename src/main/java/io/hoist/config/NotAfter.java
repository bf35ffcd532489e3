package io.hoist.config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The end of a maintenance window as written on the command line ({@code --not-after}) and in the
 * cluster file ({@code not_after}): {@code HH:MM} (the next such time on the core node's clock:
 * today, or tomorrow when it has passed), an ISO-8601 date-time with or without an offset ({@code
 * 2026-11-22T05:30}, {@code 2026-11-22T05:30+01:00}, {@code 2026-11-22T04:30Z}; without one, the
 * core node's time zone), or {@code +DURATION} from now ({@code +2h}, {@code +90m}; see {@link
 * Durations}).
 */
public final class NotAfter {

  private static final Pattern CLOCK_TIME = Pattern.compile("([01]?[0-9]|2[0-3]):([0-5][0-9])");

  private static final String FORMS =
      "expected HH:MM (the next such time), an ISO-8601 date-time (2026-11-22T05:30, or with an"
          + " offset: 2026-11-22T05:30+01:00) or +DURATION from now (+2h)";

  private NotAfter() {}

  /**
   * The instant {@code text} names, read on {@code clock} (its instant is now, its zone the core
   * node's).
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Instant resolve(String text, Clock clock) {
    String t = text == null ? "" : text.strip();
    Instant now = clock.instant();
    if (t.startsWith("+")) {
      Duration ahead;
      try {
        ahead = Durations.parse(t.substring(1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(FORMS + ", got '" + text + "'", e);
      }
      return now.plus(ahead);
    }
    Matcher m = CLOCK_TIME.matcher(t);
    if (m.matches()) {
      LocalTime time = LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
      ZonedDateTime today = now.atZone(clock.getZone()).with(time);
      // Of a time passed today, or this very minute, the window is tomorrow's.
      return (today.toInstant().isAfter(now) ? today : today.plusDays(1)).toInstant();
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException withoutOffset) {
      try {
        return LocalDateTime.parse(t).atZone(clock.getZone()).toInstant();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(FORMS + ", got '" + text + "'", e);
      }
    }
  }

  /**
   * Checks the form of {@code text} alone (a cluster file is read before the time is known).
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static void check(String text) {
    resolve(text, Clock.systemUTC());
  }
}
