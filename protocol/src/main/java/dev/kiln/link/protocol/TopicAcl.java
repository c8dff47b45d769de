package dev.kiln.link.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Who may publish and subscribe where in the v1 tree: a device only under its own id, the console
 * to every device's commands and chunks, the ingestor to capture, status and heartbeats. The
 * embedded broker enforces this table and the generated Mosquitto ACL file is written from it, so
 * the topic layout keeps one owner ({@link Topics}, {@link TopicKind}).
 *
 * <p>A client's identity is the common name of its certificate. {@link #CONSOLE} and {@link
 * #INGEST} are reserved: no device may be issued either name.
 */
public final class TopicAcl {
  /** The console's identity (certificate CN). */
  public static final String CONSOLE = "kiln-console";

  /** The ingestor's identity (certificate CN). */
  public static final String INGEST = "kiln-ingest";

  /** Stands for the client's own identity in a rule's pattern (Mosquitto writes it {@code %u}). */
  public static final String SELF = "%u";

  private static final String SHARED = "$share/";

  /** What kind of party a client is, from its identity. */
  public enum Role {
    DEVICE,
    CONSOLE,
    INGEST;

    /** The role of {@code identity}; null for one that is neither reserved nor a device id. */
    public static Role of(String identity) {
      if (TopicAcl.CONSOLE.equals(identity)) {
        return Role.CONSOLE;
      }
      if (TopicAcl.INGEST.equals(identity)) {
        return Role.INGEST;
      }
      return Topics.isDeviceId(identity) ? Role.DEVICE : null;
    }
  }

  public enum Access {
    PUBLISH,
    SUBSCRIBE
  }

  /**
   * One grant: {@code role} may {@code access} every topic {@code pattern} matches ({@code +} and
   * {@code #} as in MQTT; {@link #SELF} is the client's own identity).
   */
  public record Rule(Role role, Access access, String pattern) {}

  private static final List<Rule> RULES = build();

  private TopicAcl() {}

  /** Every grant; anything not granted is refused. */
  public static List<Rule> rules() {
    return RULES;
  }

  /** Whether a device may not carry this id because a service identity has it. */
  public static boolean reserved(String identity) {
    return CONSOLE.equals(identity) || INGEST.equals(identity);
  }

  /** Whether {@code identity} may publish to {@code topic} (a will's topic included). */
  public static boolean mayPublish(String identity, String topic) {
    return granted(identity, Access.PUBLISH, topic);
  }

  /**
   * Whether {@code identity} may subscribe to {@code filter}: only when every topic the filter can
   * match is granted, so {@code kiln/v1/devices/+/commands/#} is refused to a device. A shared
   * subscription ({@code $share/group/filter}) is judged by its filter.
   */
  public static boolean maySubscribe(String identity, String filter) {
    if (filter != null && filter.startsWith(SHARED)) {
      int slash = filter.indexOf('/', SHARED.length());
      filter = slash < 0 ? null : filter.substring(slash + 1);
    }
    return granted(identity, Access.SUBSCRIBE, filter);
  }

  private static boolean granted(String identity, Access access, String topicOrFilter) {
    Role role = Role.of(identity);
    if (role == null || topicOrFilter == null || topicOrFilter.isEmpty()) {
      return false;
    }
    for (Rule r : RULES) {
      if (r.role() == role
          && r.access() == access
          && covers(r.pattern().replace(SELF, identity), topicOrFilter)) {
        return true;
      }
    }
    return false;
  }

  /** Whether every topic {@code filter} matches is also matched by {@code pattern}. */
  static boolean covers(String pattern, String filter) {
    String[] p = pattern.split("/", -1);
    String[] f = filter.split("/", -1);
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals("#")) {
        return true;
      }
      if (i >= f.length || f[i].equals("#")) {
        return false;
      }
      if (!p[i].equals("+") && !p[i].equals(f[i])) {
        return false;
      }
    }
    return f.length == p.length;
  }

  private static List<Rule> build() {
    List<Rule> r = new ArrayList<>();
    for (TopicKind k : List.of(TopicKind.STATUS, TopicKind.HEARTBEAT, TopicKind.INFO)) {
      r.add(new Rule(Role.DEVICE, Access.PUBLISH, device(SELF, k)));
      r.add(new Rule(Role.CONSOLE, Access.SUBSCRIBE, device("+", k)));
    }
    r.add(new Rule(Role.DEVICE, Access.PUBLISH, device(SELF, TopicKind.CAPTURE)));
    r.add(new Rule(Role.DEVICE, Access.PUBLISH, device(SELF, TopicKind.REPLIES)));
    r.add(new Rule(Role.DEVICE, Access.PUBLISH, Topics.allArtifactGets()));
    r.add(new Rule(Role.DEVICE, Access.SUBSCRIBE, device(SELF, TopicKind.COMMANDS)));
    r.add(new Rule(Role.DEVICE, Access.SUBSCRIBE, device(SELF, TopicKind.ARTIFACT_CHUNKS)));

    r.add(new Rule(Role.CONSOLE, Access.SUBSCRIBE, device("+", TopicKind.REPLIES)));
    r.add(new Rule(Role.CONSOLE, Access.SUBSCRIBE, Topics.allArtifactGets()));
    r.add(new Rule(Role.CONSOLE, Access.PUBLISH, device("+", TopicKind.COMMANDS)));
    r.add(new Rule(Role.CONSOLE, Access.PUBLISH, device("+", TopicKind.ARTIFACT_CHUNKS)));

    for (TopicKind k : List.of(TopicKind.CAPTURE, TopicKind.STATUS, TopicKind.HEARTBEAT)) {
      r.add(new Rule(Role.INGEST, Access.SUBSCRIBE, device("+", k)));
    }
    // Drift checks run in the ingestor (kiln cloud run --monitor); the console watches alerts.
    r.add(new Rule(Role.INGEST, Access.PUBLISH, Topics.allAlerts()));
    r.add(new Rule(Role.CONSOLE, Access.SUBSCRIBE, Topics.allAlerts()));
    return List.copyOf(r);
  }

  /** A device's topics of {@code kind}; a detailed kind's extra level is open ({@code #}). */
  private static String device(String who, TopicKind kind) {
    return Topics.DEVICES + "/" + who + "/" + kind.segment() + (kind.detailed() ? "/#" : "");
  }
}
