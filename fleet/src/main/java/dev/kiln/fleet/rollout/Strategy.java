package dev.kiln.fleet.rollout;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.link.protocol.Slot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a deployment reaches its devices, parsed from the CLI form ({@code canary:10:5m}). The
 * deployment stores the text form, so a console restart re-parses the same plan.
 *
 * @param batchSize devices per batch for {@code rolling}
 * @param canaryPercent share of targets in the canary phase
 * @param bake how long health gates watch the new version before the next step
 * @param weights traffic weights (old, new) for {@code ab}
 * @param arms bandit arms for {@code bandit} (the running version and each new one); 0 otherwise
 */
public record Strategy(
    Kind kind, int batchSize, int canaryPercent, Duration bake, List<Integer> weights, int arms) {

  /**
   * The most bandit arms: a device holds each new arm in a slot of its own ({@code b} to {@code h},
   * {@link Slot#banditArms()}), beside the running version.
   */
  public static final int MAX_ARMS = 1 + Slot.banditArms().size();

  public static final String ALLOWED =
      "all-at-once | rolling:BATCH | canary:PERCENT:BAKE (bake like 30s, 5m, 1h) | blue-green"
          + " | ab:W1,W2 (weights summing to 100) | shadow | bandit:ARMS:DURATION (ARMS 2.."
          + MAX_ARMS
          + ": the running version and each deployed one; DURATION like 10m)";

  private static final Pattern ROLLING = Pattern.compile("rolling:(\\d{1,6})");
  private static final Pattern CANARY = Pattern.compile("canary:(\\d{1,3}):(\\d{1,6})(ms|s|m|h)");
  private static final Pattern AB = Pattern.compile("ab:(\\d{1,3}),(\\d{1,3})");
  private static final Pattern BANDIT = Pattern.compile("bandit:(\\d{1,2}):(\\d{1,6})(ms|s|m|h)");

  /** The strategy families. */
  public enum Kind {
    ALL_AT_ONCE,
    ROLLING,
    CANARY,
    BLUE_GREEN,
    AB,
    SHADOW,
    BANDIT
  }

  /**
   * One step of a plan: the devices, what variant they install, and whether health gates must watch
   * them for {@link Strategy#bake} before the next step.
   */
  public record Phase(String name, List<String> devices, String variant, boolean bakeAfter) {}

  public Strategy {
    weights = weights == null ? List.of() : List.copyOf(weights);
    bake = bake == null ? Duration.ZERO : bake;
  }

  @JsonCreator
  public static Strategy parse(String text) {
    String s = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
    switch (s) {
      case "all-at-once":
        return new Strategy(Kind.ALL_AT_ONCE, 0, 100, Duration.ZERO, null, 0);
      case "blue-green":
        return new Strategy(Kind.BLUE_GREEN, 0, 100, Duration.ZERO, null, 0);
      case "shadow":
        return new Strategy(Kind.SHADOW, 0, 100, Duration.ZERO, null, 0);
      default:
        break;
    }
    Matcher m = ROLLING.matcher(s);
    if (m.matches()) {
      int batch = Integer.parseInt(m.group(1));
      if (batch < 1) {
        throw bad(text, "the batch size must be at least 1");
      }
      return new Strategy(Kind.ROLLING, batch, 100, Duration.ZERO, null, 0);
    }
    m = CANARY.matcher(s);
    if (m.matches()) {
      int percent = Integer.parseInt(m.group(1));
      if (percent < 1 || percent > 99) {
        throw bad(text, "the canary percent must be 1..99");
      }
      return new Strategy(
          Kind.CANARY, 0, percent, duration(Long.parseLong(m.group(2)), m.group(3)), null, 0);
    }
    m = AB.matcher(s);
    if (m.matches()) {
      int a = Integer.parseInt(m.group(1));
      int b = Integer.parseInt(m.group(2));
      if (a + b != 100 || b == 0) {
        throw bad(text, "the weights must sum to 100 and give the new version more than 0");
      }
      return new Strategy(Kind.AB, 0, 100, Duration.ZERO, List.of(a, b), 0);
    }
    m = BANDIT.matcher(s);
    if (m.matches()) {
      int arms = Integer.parseInt(m.group(1));
      if (arms < 2 || arms > MAX_ARMS) {
        throw bad(
            text, "ARMS must be 2.." + MAX_ARMS + " (the running version and each deployed one)");
      }
      Duration d = duration(Long.parseLong(m.group(2)), m.group(3));
      if (d.isZero()) {
        throw bad(text, "the duration must be above 0");
      }
      // The arms start at even weights; the devices' bandits move the traffic from there.
      return new Strategy(Kind.BANDIT, 0, 100, d, List.of(50, 50), arms);
    }
    throw bad(text, null);
  }

  /**
   * Checks that a deployment names as many artifacts as the strategy has new arms: a {@code
   * bandit:ARMS} deployment runs the devices' version as one arm and each artifact as another, so
   * it needs ARMS - 1 artifacts. Other strategies deploy exactly one.
   */
  public void requireArtifacts(int artifacts) {
    int wanted = kind == Kind.BANDIT ? arms - 1 : 1;
    if (artifacts == wanted) {
      return;
    }
    throw new FleetException(
        FleetErrorCode.BAD_STRATEGY,
        kind == Kind.BANDIT
            ? "strategy '"
                + text()
                + "' has ARMS "
                + arms
                + " (the running version and "
                + wanted
                + " deployed one(s)), so it needs "
                + wanted
                + " artifact(s), but the deployment has "
                + artifacts
            : "strategy '"
                + text()
                + "' deploys one artifact, but the deployment has "
                + artifacts);
  }

  /** The CLI form, e.g. {@code canary:10:300s}; {@link #parse} reads it back to an equal value. */
  @JsonValue
  public String text() {
    return switch (kind) {
      case ALL_AT_ONCE -> "all-at-once";
      case ROLLING -> "rolling:" + batchSize;
      case CANARY -> "canary:" + canaryPercent + ":" + bake.toMillis() + "ms";
      case BLUE_GREEN -> "blue-green";
      case AB -> "ab:" + weights.get(0) + "," + weights.get(1);
      case SHADOW -> "shadow";
      case BANDIT -> "bandit:" + arms + ":" + bake.toMillis() + "ms";
    };
  }

  /** Splits the targets (in a stable order) into phases. */
  public List<Phase> plan(List<String> targets) {
    List<String> devices = List.copyOf(targets);
    List<Phase> phases = new ArrayList<>();
    switch (kind) {
      case ALL_AT_ONCE -> phases.add(new Phase("all", devices, Slot.PRIMARY.wireName(), false));
      case ROLLING -> {
        for (int i = 0; i < devices.size(); i += batchSize) {
          List<String> batch = devices.subList(i, Math.min(devices.size(), i + batchSize));
          phases.add(
              new Phase("batch " + (phases.size() + 1), batch, Slot.PRIMARY.wireName(), false));
        }
      }
      case CANARY -> {
        int n = Math.max(1, (int) Math.ceil(devices.size() * canaryPercent / 100.0));
        n = Math.min(n, devices.size());
        phases.add(new Phase("canary", devices.subList(0, n), Slot.PRIMARY.wireName(), true));
        if (n < devices.size()) {
          phases.add(
              new Phase(
                  "rest", devices.subList(n, devices.size()), Slot.PRIMARY.wireName(), false));
        }
      }
        // Green installs beside blue without taking traffic; only when every device has it ready
        // does the second phase switch them all.
      case BLUE_GREEN -> {
        phases.add(new Phase("stage green", devices, Slot.GREEN.wireName(), false));
        phases.add(new Phase("switch to green", devices, Slot.PRIMARY.wireName(), false));
      }
      case AB -> phases.add(new Phase("a/b", devices, Slot.B.wireName(), true));
      case SHADOW -> phases.add(new Phase("shadow", devices, Slot.SHADOW.wireName(), true));
        // The new version joins as the second arm; when the bandit picks it, every device switches
        // to it as primary. When the old version wins, the deployment rolls back instead.
      case BANDIT -> {
        // A third arm and more land one after another, each as its own deploy command; the bake
        // starts when every arm is in place.
        if (arms == 2) {
          phases.add(new Phase("bandit arms", devices, Slot.B.wireName(), true));
        } else {
          for (int i = 0; i < arms - 1; i++) {
            String slot = Slot.banditArm(i).wireName();
            phases.add(new Phase("bandit arm " + slot, devices, slot, i == arms - 2));
          }
        }
        phases.add(new Phase("promote winner", devices, Slot.PRIMARY.wireName(), false));
      }
    }
    return phases;
  }

  /** A duration as the CLI writes one: {@code 1h}, {@code 5m}, {@code 30s} or {@code 500ms}. */
  public static String human(Duration d) {
    long ms = d.toMillis();
    if (ms > 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms > 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  static Duration duration(long n, String unit) {
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  private static FleetException bad(String text, String detail) {
    return new FleetException(
        FleetErrorCode.BAD_STRATEGY,
        "strategy '"
            + text
            + "' is not valid"
            + (detail == null ? "" : ": " + detail)
            + "; use one of: "
            + ALLOWED);
  }
}
