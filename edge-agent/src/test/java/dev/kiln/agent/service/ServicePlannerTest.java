package dev.kiln.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicePlannerTest {

  // The build points java.io.tmpdir at target/tmp, which @TempDir needs to exist.
  @BeforeAll
  static void createTmpdir() throws java.io.IOException {
    java.nio.file.Files.createDirectories(
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
  }

  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  @TempDir Path dir;

  private final ServicePlanner planner = new ServicePlanner(UnitTemplate.fromClasspath());

  private UnitSettings settings() {
    // root exists everywhere, so the config can be given its group without useradd.
    return new UnitSettings(
        JAVA, dir.resolve("opt"), "root", Path.of("/var/lib/kiln"), dir.resolve("etc/agent.json"));
  }

  private ServicePlanner.InstallRequest request(List<Path> jars, boolean start) {
    return new ServicePlanner.InstallRequest(
        settings(),
        dir.resolve("systemd"),
        AgentConfigFile.defaults("dev-1", dir.resolve("etc")),
        jars,
        start);
  }

  private List<Path> jars(String... names) throws IOException {
    Path from = Files.createDirectories(dir.resolve("build"));
    for (String name : names) {
      Files.writeString(from.resolve(name), name);
    }
    return List.of(names).stream().map(from::resolve).toList();
  }

  private String run(List<ServiceStep> plan) {
    StringWriter out = new StringWriter();
    new StepRunner(new PrintWriter(out), false).run(plan);
    return out.toString();
  }

  @Test
  void install_writesUnitConfigAndJars_whenSystemdIsAbsent() throws IOException {
    String log =
        run(
            planner.install(
                request(jars("a.jar", "b.jar"), true), new HostFacts(true, false, false)));

    String unit = Files.readString(dir.resolve("systemd/kiln-agent.service"));
    assertThat(unit)
        .contains("# kiln-agent unit template v3")
        .contains("User=root")
        .contains("ExecStart=" + JAVA + " -Dai.djl.offline=true -Djava.io.tmpdir=/var/lib/kiln/tmp")
        .contains("-cp \"" + dir.resolve("opt/lib") + "/*\" dev.kiln.agent.cli.AgentMain run")
        .contains("--config " + dir.resolve("etc/agent.json"))
        .contains(
            "/var/lib/kiln/tmp -XX:SharedArchiveFile=/var/lib/kiln/cds/kiln-agent.jsa"
                + " -Dkiln.agent.cds.archive=/var/lib/kiln/cds/kiln-agent.jsa"
                + " $KILN_AGENT_JAVA_OPTS -cp")
        .contains(
            "Environment=\"KILN_AGENT_JAVA_OPTS=-Xmx64m -Xms8m -XX:NewRatio=4 -XX:+UseSerialGC"
                + " -XX:-UsePerfData")
        .contains("Environment=MALLOC_ARENA_MAX=2")
        .contains("StateDirectory=kiln kiln/tmp kiln/djl")
        .contains("CapabilityBoundingSet=\n")
        .doesNotContain("${");
    assertThat(dir.resolve("opt/lib")).isDirectoryContaining("glob:**/a.jar");
    assertThat(Files.readString(dir.resolve("opt/lib/b.jar"))).isEqualTo("b.jar");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("etc/agent.json"))))
        .isEqualTo("rw-r-----");
    assertThat(Files.readString(dir.resolve("etc/agent.json")))
        .contains("\"deviceId\" : \"dev-1\"");
    assertThat(log).contains("systemd is not running");
  }

  @Test
  void install_keepsExistingConfig_andRemovesStaleJars_onUpgrade() throws IOException {
    run(planner.install(request(jars("agent-0.1.jar"), false), new HostFacts(true, false, false)));
    Files.writeString(dir.resolve("etc/agent.json"), "{\"deviceId\":\"edited\"}");
    Files.writeString(dir.resolve("opt/lib/operator-plugin.jar"), "not ours");

    run(planner.install(request(jars("agent-0.2.jar"), false), new HostFacts(true, false, false)));

    assertThat(Files.readString(dir.resolve("etc/agent.json"))).contains("edited");
    assertThat(dir.resolve("opt/lib/agent-0.2.jar")).exists();
    assertThat(dir.resolve("opt/lib/agent-0.1.jar")).doesNotExist();
    assertThat(dir.resolve("opt/lib/operator-plugin.jar")).exists();
  }

  @Test
  void install_createsUserThenRestartsService_whenSystemdRuns() throws IOException {
    List<ServiceStep> plan =
        planner.install(request(jars("a.jar"), true), new HostFacts(false, false, true));

    assertThat(plan.get(0))
        .isEqualTo(
            new ServiceStep.RunCommand(
                List.of(
                    "useradd",
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--home-dir",
                    "/var/lib/kiln",
                    "--shell",
                    "/usr/sbin/nologin",
                    "root"),
                false));
    assertThat(plan.subList(plan.size() - 3, plan.size()))
        .containsExactly(
            new ServiceStep.RunCommand(List.of("systemctl", "daemon-reload"), false),
            new ServiceStep.RunCommand(List.of("systemctl", "enable", "kiln-agent.service"), false),
            new ServiceStep.RunCommand(
                List.of("systemctl", "restart", "kiln-agent.service"), false));
  }

  @Test
  void install_dumpsTheClassDataArchiveAsTheServiceUser_beforeTheFirstStart() throws IOException {
    List<ServiceStep> plan =
        planner.install(request(jars("a.jar"), true), new HostFacts(true, false, true));

    int reload =
        plan.indexOf(new ServiceStep.RunCommand(List.of("systemctl", "daemon-reload"), false));
    assertThat(plan.subList(reload - 2, reload))
        .containsExactly(
            new ServiceStep.RunCommand(
                List.of(
                    "install",
                    "-d",
                    "-o",
                    "root",
                    "-g",
                    "root",
                    "-m",
                    "0750",
                    "/var/lib/kiln",
                    "/var/lib/kiln/cds"),
                true),
            new ServiceStep.RunCommand(
                List.of(
                    "runuser",
                    "-u",
                    "root",
                    "--",
                    JAVA.toString(),
                    "-cp",
                    dir.resolve("opt/lib") + "/*",
                    "dev.kiln.agent.cli.AgentMain",
                    "cds",
                    "--archive",
                    "/var/lib/kiln/cds/kiln-agent.jsa"),
                true));
    // The unit maps the archive these steps write.
    assertThat(
            UnitTemplate.fromClasspath()
                .render(settings().templateValues())
                .contains("-XX:SharedArchiveFile=/var/lib/kiln/cds/kiln-agent.jsa"))
        .isTrue();
  }

  @Test
  void install_skipsSystemctl_whenNoStartGiven() throws IOException {
    List<ServiceStep> plan =
        planner.install(request(jars("a.jar"), false), new HostFacts(true, false, true));

    assertThat(plan).noneMatch(step -> step instanceof ServiceStep.RunCommand);
    assertThat(plan.get(plan.size() - 1).describe()).contains("--no-start");
  }

  @Test
  void uninstall_keepsStateAndConfig_unlessPurged() throws IOException {
    run(planner.install(request(jars("a.jar"), false), new HostFacts(true, false, false)));
    ServicePlanner.UninstallRequest keep =
        new ServicePlanner.UninstallRequest(settings(), dir.resolve("systemd"), false);

    String log = run(planner.uninstall(keep, new HostFacts(true, false, false)));

    assertThat(dir.resolve("systemd/kiln-agent.service")).doesNotExist();
    assertThat(dir.resolve("opt/lib")).doesNotExist();
    assertThat(dir.resolve("etc/agent.json")).exists();
    assertThat(log).contains("pass --purge");
  }

  @Test
  void uninstall_removesOnlyTheJarsInstallPutThere() throws IOException {
    run(planner.install(request(jars("a.jar"), false), new HostFacts(true, false, false)));
    Files.writeString(dir.resolve("opt/lib/operator-plugin.jar"), "not ours");

    run(
        planner.uninstall(
            new ServicePlanner.UninstallRequest(settings(), dir.resolve("systemd"), false),
            new HostFacts(true, false, false)));

    assertThat(dir.resolve("opt/lib/a.jar")).doesNotExist();
    assertThat(dir.resolve("opt/lib/operator-plugin.jar")).exists();
  }

  @Test
  void uninstall_purge_deletesStateConfigAndUser() {
    ServicePlanner.UninstallRequest purge =
        new ServicePlanner.UninstallRequest(settings(), dir.resolve("systemd"), true);

    List<ServiceStep> plan = planner.uninstall(purge, new HostFacts(true, true, true));

    assertThat(plan)
        .startsWith(
            new ServiceStep.RunCommand(
                List.of("systemctl", "disable", "--now", "kiln-agent.service"), true))
        .contains(
            new ServiceStep.Delete(Path.of("/var/lib/kiln")),
            new ServiceStep.Delete(dir.resolve("etc/agent.json")),
            new ServiceStep.RunCommand(List.of("userdel", "root"), false));
  }

  @Test
  void uninstall_purge_neverDeletesAUserInstallDidNotCreate() {
    ServicePlanner.UninstallRequest purge =
        new ServicePlanner.UninstallRequest(settings(), dir.resolve("systemd"), true);

    // Probed for real: root exists here but is not a nologin user living in /var/lib/kiln.
    HostFacts host = HostFacts.probe("root", Path.of("/var/lib/kiln"));
    List<ServiceStep> plan = planner.uninstall(purge, host);

    assertThat(host.userExists()).isTrue();
    assertThat(host.userIsOurs()).isFalse();
    assertThat(plan).noneMatch(step -> step.describe().contains("userdel"));
    assertThat(plan).anyMatch(step -> step.describe().contains("kept user root"));
  }

  @Test
  void settings_rejectStateDirOutsideVarLib() {
    assertThatThrownBy(
            () ->
                new UnitSettings(
                    JAVA, dir, "kiln", Path.of("/srv/kiln"), dir.resolve("agent.json")))
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining("not under /var/lib")
        .extracting(e -> ((ServiceException) e).code())
        .isEqualTo(ServiceErrorCode.CONFIG_INVALID);
  }

  @Test
  void settings_rejectPathsSystemdWouldSplit() {
    assertThatThrownBy(
            () ->
                new UnitSettings(
                    Path.of("/opt/my java/bin/java"),
                    dir,
                    "kiln",
                    Path.of("/var/lib/kiln"),
                    dir.resolve("agent.json")))
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining("/opt/my java/bin/java");
  }

  @Test
  void config_rejectsPrivilegedPort_becauseUnitHasNoCapabilities() {
    byte[] json = "{\"http\":{\"port\":80}}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> AgentConfigFile.parse(json, "agent.json"))
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining("http.port 80");
  }

  @Test
  void config_readsStateDir_andDefaultsIt() {
    byte[] custom = "{\"stateDir\":\"/var/lib/kiln-b\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(AgentConfigFile.parse(custom, "a").stateDir()).isEqualTo(Path.of("/var/lib/kiln-b"));
    assertThat(AgentConfigFile.parse("{}".getBytes(StandardCharsets.UTF_8), "b").stateDir())
        .isEqualTo(Path.of("/var/lib/kiln"));
  }
}
