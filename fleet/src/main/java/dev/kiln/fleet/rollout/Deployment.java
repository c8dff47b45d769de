package dev.kiln.fleet.rollout;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.link.protocol.Slot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deployment and its state machine. Every change goes through {@link #apply} (a named {@link
 * Transition}, checked against the current state and recorded in {@link #history}) or through the
 * per-device updates; the console persists it after each change, so a restarted console resumes
 * exactly here. Not thread-safe: the console mutates it on its one event thread.
 */
@JsonAutoDetect(
    fieldVisibility = JsonAutoDetect.Visibility.ANY,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class Deployment {
  /** One recorded state change. */
  public record Step(
      Transition transition, DeploymentState from, DeploymentState to, long at, String reason) {}

  private String id;
  private ArtifactRef artifact;

  /**
   * A {@code bandit:N} deployment's third and later arms (variants {@code c}, {@code d}, ...),
   * beside {@link #artifact} (variant {@code b}); empty for every other deployment.
   */
  private List<ArtifactRef> extraArms = new ArrayList<>();

  private TargetSelector targets;
  private Strategy strategy;
  private GateConfig gate;
  private DeploymentState state = DeploymentState.NEW;
  private List<Strategy.Phase> phases = new ArrayList<>();
  private int phase;
  private Map<String, DeviceRollout> devices = new LinkedHashMap<>();
  private Baseline baseline = Baseline.none();
  private long createdAt;
  private long updatedAt;

  /** Incremented on every change, so the console knows what to write. */
  private long revision;

  private long phaseStartedAt;
  private long bakeUntil;
  private long deadline;
  private String reason;
  private List<Step> history = new ArrayList<>();

  /** A bandit deployment's arms over time, oldest first, at most {@link #MAX_BANDIT_SNAPSHOTS}. */
  private List<BanditVerdict.Snapshot> bandit = new ArrayList<>();

  static final int MAX_BANDIT_SNAPSHOTS = 120;

  /** The accuracy gate's latest figures; null until it judged (or when not asked for). */
  private AccuracyGate.Figures accuracy;

  /** Drift alerts the drift gate kept, oldest first, at most {@link #MAX_DRIFT_FINDINGS}. */
  private List<DriftGate.Finding> drift = new ArrayList<>();

  static final int MAX_DRIFT_FINDINGS = 20;

  private Deployment() {}

  public static Deployment create(
      String id,
      ArtifactRef artifact,
      TargetSelector targets,
      Strategy strategy,
      GateConfig gate,
      long now,
      long timeoutMs) {
    return create(id, List.of(artifact), targets, strategy, gate, now, timeoutMs);
  }

  /**
   * A deployment of one artifact, or of ARMS - 1 of them for a {@code bandit} strategy (each a new
   * arm, installed one after the other); all of one model, each a different version.
   */
  public static Deployment create(
      String id,
      List<ArtifactRef> artifacts,
      TargetSelector targets,
      Strategy strategy,
      GateConfig gate,
      long now,
      long timeoutMs) {
    strategy.requireArtifacts(artifacts.size());
    ArtifactRef artifact = artifacts.get(0);
    for (ArtifactRef a : artifacts.subList(1, artifacts.size())) {
      if (!a.name().equals(artifact.name())
          || artifacts.stream().filter(o -> o.version().equals(a.version())).count() > 1) {
        throw new FleetException(
            FleetErrorCode.BAD_STRATEGY,
            "bandit arms must be different versions of one model, not "
                + artifacts.stream().map(ArtifactRef::label).toList());
      }
    }
    Deployment d = new Deployment();
    d.id = id;
    d.artifact = artifact;
    d.extraArms = new ArrayList<>(artifacts.subList(1, artifacts.size()));
    d.targets = targets;
    d.strategy = strategy;
    d.gate = gate;
    d.createdAt = now;
    d.updatedAt = now;
    d.deadline = now + timeoutMs;
    return d;
  }

  /** Moves the state machine; throws ILLEGAL_TRANSITION naming the states that allow it. */
  public void apply(Transition t, long now, String why) {
    if (!t.allowedFrom(state)) {
      throw new FleetException(
          FleetErrorCode.ILLEGAL_TRANSITION,
          "deployment " + id + " is " + state + "; " + t + " is only allowed from " + t.from());
    }
    history.add(new Step(t, state, t.to(), now, why));
    state = t.to();
    reason = why;
    updatedAt = now;
    revision++;
  }

  public void plan(List<Strategy.Phase> planned, Map<String, String> previousVersions) {
    phases = new ArrayList<>(planned);
    devices = new LinkedHashMap<>();
    for (int i = 0; i < planned.size(); i++) {
      for (String device : planned.get(i).devices()) {
        // Blue-green lists each device twice; its row follows it into the later phase.
        devices.putIfAbsent(device, DeviceRollout.pending(device, i, previousVersions.get(device)));
      }
    }
  }

  public void update(DeviceRollout row, long now) {
    devices.put(row.deviceId(), row);
    updatedAt = now;
    revision++;
  }

  /** Devices of the current phase. */
  @JsonIgnore
  public List<DeviceRollout> currentPhaseDevices() {
    List<DeviceRollout> out = new ArrayList<>();
    if (phase >= phases.size()) {
      return out;
    }
    for (String d : phases.get(phase).devices()) {
      out.add(devices.get(d));
    }
    return out;
  }

  @JsonIgnore
  public Strategy.Phase currentPhase() {
    return phase < phases.size() ? phases.get(phase) : null;
  }

  @JsonIgnore
  public boolean lastPhase() {
    return phase >= phases.size() - 1;
  }

  /** Starts the next phase: its devices go back to PENDING for that phase's command. */
  public void advancePhase(long now) {
    revision++;
    phase++;
    phaseStartedAt = now;
    if (phase < phases.size()) {
      for (String d : phases.get(phase).devices()) {
        DeviceRollout r = devices.get(d);
        if (r.phase() < phase && r.status() == DeviceRollout.Status.ACTIVE) {
          devices.put(
              d,
              new DeviceRollout(
                  d,
                  phase,
                  DeviceRollout.Status.PENDING,
                  null,
                  0,
                  0,
                  null,
                  null,
                  null,
                  r.previousVersion(),
                  0));
        }
      }
    }
  }

  public void startPhase(long now) {
    phaseStartedAt = now;
  }

  public void bakeUntil(long at) {
    bakeUntil = at;
  }

  public void baseline(Baseline b) {
    baseline = b;
  }

  public String id() {
    return id;
  }

  /**
   * The versions this deployment brings as bandit arms, in the order the verdict lists them after
   * the running version. A deployment carries one artifact today, so one.
   */
  @JsonIgnore
  public List<String> armVersions() {
    return artifacts().stream().map(ArtifactRef::version).toList();
  }

  /** Every artifact the deployment brings: the main one first, then the extra bandit arms. */
  @JsonIgnore
  public List<ArtifactRef> artifacts() {
    List<ArtifactRef> all = new ArrayList<>();
    all.add(artifact);
    all.addAll(extraArms == null ? List.of() : extraArms);
    return all;
  }

  /**
   * The artifact a deploy to {@code variant} installs: the third arm for {@code c}, the fourth for
   * {@code d}, and so on; the main artifact for any other slot.
   */
  public ArtifactRef artifactFor(String variant) {
    int extra = Slot.fromWire(variant).map(Slot.banditArms()::indexOf).orElse(-1) - 1;
    return extra >= 0 && extraArms != null && extra < extraArms.size()
        ? extraArms.get(extra)
        : artifact;
  }

  /**
   * The bandit chose {@code version}: from now on it is the deployment's artifact (what the
   * promotion phase makes primary and what the outcome names); the others stay listed as arms.
   * {@link #artifactFor} is only asked for {@code c} and later arms before this, while the first
   * phases install the arms.
   */
  public void promoteArm(String version) {
    List<ArtifactRef> all = artifacts();
    ArtifactRef won =
        all.stream().filter(a -> a.version().equals(version)).findFirst().orElse(artifact);
    all.remove(won);
    artifact = won;
    extraArms = new ArrayList<>(all);
    revision++;
  }

  public ArtifactRef artifact() {
    return artifact;
  }

  public TargetSelector targets() {
    return targets;
  }

  public Strategy strategy() {
    return strategy;
  }

  public GateConfig gate() {
    return gate;
  }

  public DeploymentState state() {
    return state;
  }

  public List<Strategy.Phase> phases() {
    return List.copyOf(phases);
  }

  public int phase() {
    return phase;
  }

  public Map<String, DeviceRollout> devices() {
    return devices;
  }

  public DeviceRollout device(String id) {
    return devices.get(id);
  }

  public Baseline baseline() {
    return baseline;
  }

  public long createdAt() {
    return createdAt;
  }

  public long revision() {
    return revision;
  }

  public long updatedAt() {
    return updatedAt;
  }

  public long phaseStartedAt() {
    return phaseStartedAt;
  }

  public long bakeUntil() {
    return bakeUntil;
  }

  public long deadline() {
    return deadline;
  }

  public String reason() {
    return reason;
  }

  public List<Step> history() {
    return List.copyOf(history);
  }

  /** The arms over time (bandit deployments); empty for the other strategies. */
  public List<BanditVerdict.Snapshot> bandit() {
    return bandit == null ? List.of() : List.copyOf(bandit);
  }

  /**
   * Keeps {@code s} when the figures moved since the last snapshot; the oldest goes once {@link
   * #MAX_BANDIT_SNAPSHOTS} are kept, so the file stays small however long the deployment runs.
   */
  public void recordBandit(BanditVerdict.Snapshot s, long now) {
    if (bandit == null) {
      bandit = new ArrayList<>();
    }
    if (!bandit.isEmpty()) {
      BanditVerdict.Snapshot last = bandit.get(bandit.size() - 1);
      if (last.arms().equals(s.arms()) && last.decision() == s.decision()) {
        return;
      }
    }
    bandit.add(s);
    while (bandit.size() > MAX_BANDIT_SNAPSHOTS) {
      bandit.remove(0);
    }
    updatedAt = now;
    revision++;
  }

  /** The accuracy gate's latest figures, or null. */
  public AccuracyGate.Figures accuracy() {
    return accuracy;
  }

  /** Keeps the accuracy gate's figures; a change counts as one, so the file shows the latest. */
  void recordAccuracy(AccuracyGate.Figures figures, long now) {
    if (figures == null || figures.equals(accuracy)) {
      return;
    }
    accuracy = figures;
    updatedAt = now;
    revision++;
  }

  /** Drift alerts the drift gate kept; empty when none came or the gate is off. */
  public List<DriftGate.Finding> drift() {
    return drift == null ? List.of() : List.copyOf(drift);
  }

  void recordDrift(DriftGate.Finding finding, long now) {
    if (drift == null) {
      drift = new ArrayList<>();
    }
    drift.add(finding);
    while (drift.size() > MAX_DRIFT_FINDINGS) {
      drift.remove(0);
    }
    updatedAt = now;
    revision++;
  }

  /** Count of devices per status, for tables. */
  @JsonIgnore
  public Map<DeviceRollout.Status, Integer> counts() {
    Map<DeviceRollout.Status, Integer> c = new java.util.EnumMap<>(DeviceRollout.Status.class);
    for (DeviceRollout r : devices.values()) {
      c.merge(r.status(), 1, Integer::sum);
    }
    return c;
  }
}
