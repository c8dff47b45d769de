package dev.kiln.fleet.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.audit.AuditRecord;
import dev.kiln.fleet.audit.AuditTrail;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.fleet.rollout.DeviceRollout;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.Strategy;
import dev.kiln.fleet.rollout.TargetSelector;
import dev.kiln.fleet.rollout.Transition;
import dev.kiln.link.protocol.CommandReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link FleetState} must do, run against files ({@link FileFleetStateTest}) and
 * PostgreSQL ({@link PostgresFleetStateTest}). Each test gets a fresh, empty state for a console
 * from {@link #open} and can reopen it to see what survived.
 */
abstract class FleetStateContract {
  static final ArtifactRef V2 =
      new ArtifactRef("mlp", "2", "abc", 1, "x86_64", "linux-x86_64", List.of(), "/nope.kiln");

  /** The state the test works on, opened for a console (writes allowed). */
  abstract FleetState open();

  /** Whether the store keeps commands as signed (PostgreSQL does, files do not). */
  abstract boolean recordsCommands();

  static StateChanges devices(DeviceRecord... records) {
    return new StateChanges(List.of(records), List.of(), List.of(), List.of(), List.of());
  }

  static StateChanges deployments(Deployment... ds) {
    return new StateChanges(List.of(), List.of(ds), List.of(), List.of(), List.of());
  }

  static Deployment canary(String id, int devices) {
    Deployment d =
        Deployment.create(
            id,
            V2,
            TargetSelector.everyDevice(),
            Strategy.parse("canary:10:30s"),
            GateConfig.defaults(),
            1000,
            60_000);
    List<String> targets = new ArrayList<>();
    Map<String, String> previous = new HashMap<>();
    for (int i = 0; i < devices; i++) {
      targets.add("d" + i);
      previous.put("d" + i, "1");
    }
    d.plan(d.strategy().plan(targets), previous);
    d.startPhase(1000);
    d.apply(Transition.START, 1000, "phase 1");
    return d;
  }

  @Test
  void devices_written_comeBack_andALaterChangeReplacesOnlyThatDevice() {
    DeviceRecord a = DeviceRecord.unknown("a").withInfo(List.of("lab"), "p", "x86_64");
    DeviceRecord b = DeviceRecord.unknown("b").withReported("mlp", "1");
    try (FleetState s = open()) {
      s.write(devices(a, b));
      s.write(devices(b.withReported("mlp", "2")));
    }
    try (FleetState s = open()) {
      assertThat(s.loadDevices()).containsExactlyInAnyOrder(a, b.withReported("mlp", "2"));
    }
  }

  @Test
  void deployment_withItsRows_comesBackAsWritten_inItsDeviceOrder() {
    Deployment d = canary("dep-1", 12);
    try (FleetState s = open()) {
      s.write(deployments(d));
      DeviceRollout r = d.device("d0");
      d.update(r.sent("cmd-1", 2000, false), 2000);
      s.write(deployments(d));
    }
    try (FleetState s = open()) {
      Deployment loaded = s.loadDeployment("dep-1");
      assertThat(loaded.devices().keySet()).containsExactlyElementsOf(d.devices().keySet());
      assertThat(loaded.device("d0")).isEqualTo(d.device("d0"));
      assertThat(loaded.device("d0").status()).isEqualTo(DeviceRollout.Status.SENT);
      assertThat(loaded.state()).isEqualTo(d.state());
      assertThat(loaded.phases()).isEqualTo(d.phases());
      assertThat(loaded.history()).isEqualTo(d.history());
      assertThat(s.loadDeployments()).extracting(Deployment::id).containsExactly("dep-1");
    }
  }

  @Test
  void aRowChangedAfterARestart_isWritten() {
    try (FleetState s = open()) {
      s.write(deployments(canary("dep-1", 3)));
    }
    try (FleetState s = open()) {
      Deployment d = s.loadDeployments().get(0);
      d.update(d.device("d2").sent("cmd-9", 3000, false), 3000);
      s.write(deployments(d));
    }
    try (FleetState s = open()) {
      assertThat(s.loadDeployment("dep-1").device("d2").commandId()).isEqualTo("cmd-9");
    }
  }

  @Test
  void unknownDeployment_isNotFound() {
    try (FleetState s = open()) {
      assertThatThrownBy(() -> s.loadDeployment("dep-none"))
          .isInstanceOf(FleetException.class)
          .extracting(e -> ((FleetException) e).code())
          .isEqualTo(FleetErrorCode.NOT_FOUND);
    }
  }

  @Test
  void auditRecords_appendAcrossWrites_withAnIntactHashChain() {
    var reply =
        new CommandReply(1, "c1", "d1", CommandReply.Status.SUCCEEDED, null, null, null, 5, null);
    try (FleetState s = open()) {
      s.write(audit(AuditRecord.outcome(reply, "dep-1", 10)));
      s.write(audit(AuditRecord.outcome(reply, "dep-1", 20), AuditRecord.outcome(reply, null, 30)));
    }
    try (FleetState s = open()) {
      List<byte[]> lines = s.auditLines();
      assertThat(lines).hasSize(3);
      assertThat(AuditTrail.verify(lines).intact()).isTrue();
      assertThat(AuditTrail.read(lines, s.auditWhere(), new AuditTrail.Filter("d1", null, null)))
          .hasSize(3);
    }
  }

  @Test
  void requests_stayQueuedUntilAWriteMarksThemDone_andAreQueuedOnce() {
    ConsoleRequest deploy =
        ConsoleRequest.deploy(
            "dep-7",
            List.of(V2),
            TargetSelector.group("lab"),
            "canary:10:1m",
            GateConfig.defaults(),
            5);
    try (FleetState s = open()) {
      s.submit(deploy);
      s.submit(deploy);
      s.submit(ConsoleRequest.about("r-2", ConsoleRequest.Kind.CANCEL, "dep-7", 6));
      assertThat(s.pendingRequests())
          .containsExactly(
              deploy, ConsoleRequest.about("r-2", ConsoleRequest.Kind.CANCEL, "dep-7", 6));
      s.write(new StateChanges(List.of(), List.of(), List.of(), List.of(), List.of("dep-7")));
    }
    try (FleetState s = open()) {
      assertThat(s.pendingRequests()).extracting(ConsoleRequest::id).containsExactly("r-2");
      s.submit(deploy);
      assertThat(s.pendingRequests()).as("done is not queued again").hasSize(1);
    }
  }

  @Test
  void commands_areKeptAsSigned_whereTheStoreRecordsThem() {
    byte[] body = "{\"id\":\"c1\"}".getBytes(StandardCharsets.UTF_8);
    try (FleetState s = open()) {
      s.write(
          new StateChanges(
              List.of(),
              List.of(),
              List.of(),
              List.of(new StateChanges.RecordedCommand("c1", "d1", "dep-1", body)),
              List.of()));
    }
    try (FleetState s = open()) {
      Map<String, byte[]> found = s.recordedCommands(List.of("c1", "c2"));
      if (recordsCommands()) {
        assertThat(found).containsOnlyKeys("c1");
        assertThat(found.get("c1")).isEqualTo(body);
      } else {
        assertThat(found).isEmpty();
      }
    }
  }

  private static StateChanges audit(AuditRecord... records) {
    return new StateChanges(List.of(), List.of(), List.of(records), List.of(), List.of());
  }
}
