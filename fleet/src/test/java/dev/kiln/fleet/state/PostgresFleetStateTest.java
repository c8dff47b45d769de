package dev.kiln.fleet.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on a real PostgreSQL, plus what only it has: the lease and its fencing. */
class PostgresFleetStateTest extends FleetStateContract {
  private PostgresUrl url;
  private LeaderLease.Fence fence;

  @BeforeEach
  void freshDatabase() {
    url = PostgresUrl.parse(PostgresServer.shared().createDatabase("fleet_state").storeUri());
    try (LeaderLease lease = new LeaderLease(url, Duration.ofSeconds(10))) {
      long epoch = lease.tryAcquire("test").orElseThrow();
      fence = new LeaderLease.Fence("test", epoch);
    }
  }

  @Override
  FleetState open() {
    return PostgresFleetState.forLeader(url, fence);
  }

  @Override
  boolean recordsCommands() {
    return true;
  }

  @Test
  void lease_isHeldUntilItExpires_thenTakenWithANewEpoch() throws Exception {
    try (LeaderLease lease = new LeaderLease(url, Duration.ofMillis(300))) {
      assertThat(lease.tryAcquire("other")).as("held by 'test' for 10 s").isEmpty();
      assertThat(lease.renew(fence)).isTrue();
      lease.release(fence);
      OptionalLong next = lease.tryAcquire("other");
      assertThat(next).hasValue(fence.epoch() + 1);
      assertThat(lease.renew(fence)).as("the old holder cannot renew").isFalse();
      Thread.sleep(400); // past the 300 ms lease: expiry is the thing under test
      assertThat(lease.tryAcquire("third")).hasValue(fence.epoch() + 2);
    }
  }

  @Test
  void aStaleLeadersWrite_isRefused_andLeavesNothingBehind() {
    try (LeaderLease lease = new LeaderLease(url, Duration.ofSeconds(10));
        FleetState stale = open()) {
      lease.release(fence);
      lease.tryAcquire("new-leader").orElseThrow();
      assertThatThrownBy(() -> stale.write(deployments(canary("dep-1", 3))))
          .isInstanceOf(FleetException.class)
          .extracting(e -> ((FleetException) e).code())
          .isEqualTo(FleetErrorCode.FENCED);
      assertThat(stale.loadDeployments()).isEmpty();
    }
  }

  @Test
  void aDeviceRowChange_rewritesThatRowAlone() throws Exception {
    Deployment d = canary("dep-1", 50);
    try (FleetState s = open()) {
      s.write(deployments(d));
      Map<String, Long> before = rowVersions();
      d.update(d.device("d7").sent("cmd-7", 2000, false), 2000);
      s.write(deployments(d));
      Map<String, Long> after = rowVersions();
      List<String> rewritten =
          after.keySet().stream().filter(k -> !after.get(k).equals(before.get(k))).toList();
      assertThat(rewritten).containsExactly("d7");
    }
  }

  /** Each device row's xmin: the transaction that last wrote it. */
  private Map<String, Long> rowVersions() throws Exception {
    Map<String, Long> out = new HashMap<>();
    try (Connection c = url.connect();
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT device_id, xmin::text::bigint FROM fleet_deployment_devices")) {
      while (r.next()) {
        out.put(r.getString(1), r.getLong(2));
      }
    }
    return out;
  }

  @Test
  void aReaderCannotWrite() {
    try (FleetState reader = PostgresFleetState.forReading(url)) {
      assertThatThrownBy(() -> reader.write(devices(DeviceRecord.unknown("a"))))
          .isInstanceOf(FleetException.class);
      assertThat(reader.loadDevices()).isEqualTo(List.of());
    }
  }
}
