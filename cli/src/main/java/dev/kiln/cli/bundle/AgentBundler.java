package dev.kiln.cli.bundle;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Builds {@code kiln-agent-<version>-linux-<arch>.tar.gz}: the agent's jars with only the target
 * architecture's native libraries, a launcher and the systemd unit template. The archive appears
 * whole or not at all, and identical inputs give identical bytes.
 */
public final class AgentBundler {
  static final String TEMPLATE = "kiln/systemd/kiln-agent.service.template";

  private final AgentBuild build;
  private final Path mavenRepo;

  public AgentBundler(AgentBuild build, Path mavenRepo) {
    this.build = build;
    this.mavenRepo = mavenRepo;
  }

  /** Where the build's natives for the other architectures come from, when not in target/. */
  public static Path defaultMavenRepo() {
    String configured = System.getProperty("maven.repo.local");
    return configured != null
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  private record Staged(Path source, byte[] content, int mode, String note) {}

  public BundleReport write(TargetArch arch, Path outDir, boolean force) {
    String top = "kiln-agent-" + build.version() + "-linux-" + arch.id();
    Path bundle = outDir.toAbsolutePath().resolve(top + ".tar.gz");
    if (Files.exists(bundle) && !force) {
      throw new BundleException(
          BundleErrorCode.OUTPUT_EXISTS, bundle + " already exists; pass --force to replace it");
    }
    Path scratch = null;
    try {
      Files.createDirectories(bundle.getParent());
      scratch = Files.createTempDirectory(bundle.getParent(), ".bundle-");
      Map<String, Staged> staged = stage(arch, scratch);
      List<BundleReport.Entry> entries = new ArrayList<>();
      for (Map.Entry<String, Staged> item : staged.entrySet()) {
        Staged file = item.getValue();
        long bytes = file.source() != null ? Files.size(file.source()) : file.content().length;
        String sha = file.source() != null ? Sha256.of(file.source()) : Sha256.of(file.content());
        entries.add(new BundleReport.Entry(item.getKey(), bytes, sha, file.note()));
      }
      staged.put("BUNDLE.json", new Staged(null, manifest(arch, entries), 0644, null));
      writeTar(top, staged, bundle);
      long content = entries.stream().mapToLong(BundleReport.Entry::bytes).sum();
      return new BundleReport(
          bundle, build.version(), arch.id(), Files.size(bundle), content, List.copyOf(entries));
    } catch (IOException e) {
      throw new BundleException(
          BundleErrorCode.IO_FAILED, "writing " + bundle + " failed: " + e.getMessage(), e);
    } finally {
      deleteQuietly(scratch);
    }
  }

  private Map<String, Staged> stage(TargetArch arch, Path scratch) throws IOException {
    Map<String, Staged> staged = new TreeMap<>();
    staged.put("bin/kiln-agent", new Staged(null, BundleLauncher.script(), 0755, null));
    staged.put(
        "share/systemd/kiln-agent.service.template", new Staged(null, template(), 0644, null));
    staged.put(lib(build.agentJar()), new Staged(build.agentJar(), null, 0644, null));
    NativeSlimmer slimmer = new NativeSlimmer(arch);
    boolean haveTorchNatives = false;
    for (Path jar : build.libJars()) {
      Matcher torch = AgentBuild.TORCH_NATIVE.matcher(jar.getFileName().toString());
      if (torch.matches() && !torch.group(2).equals(arch.djlPlatform())) {
        continue;
      }
      haveTorchNatives |= torch.matches();
      if (slimmer.needsSlimming(jar)) {
        Path slim = scratch.resolve(jar.getFileName());
        slimmer.slim(jar, slim);
        String note =
            "slimmed from " + Sizes.human(Files.size(jar)) + " (" + arch + " natives only)";
        staged.put(lib(jar), new Staged(slim, null, 0644, note));
      } else {
        staged.put(lib(jar), new Staged(jar, null, 0644, null));
      }
    }
    if (!haveTorchNatives && build.torchNativeVersion().isPresent()) {
      Path natives = build.torchNativeJar(arch, build.torchNativeVersion().get(), mavenRepo);
      staged.put(lib(natives), new Staged(natives, null, 0644, "added for " + arch));
    }
    return staged;
  }

  private static String lib(Path jar) {
    return "lib/" + jar.getFileName();
  }

  /** The unit template exactly as the agent jar carries it, so bundle and installer agree. */
  private byte[] template() throws IOException {
    try (ZipFile jar = new ZipFile(build.agentJar().toFile())) {
      ZipEntry entry = jar.getEntry(TEMPLATE);
      if (entry == null) {
        throw new BundleException(
            BundleErrorCode.AGENT_NOT_BUILT,
            build.agentJar() + " has no " + TEMPLATE + "; rebuild it: mvn -pl edge-agent package");
      }
      try (InputStream in = jar.getInputStream(entry)) {
        return in.readAllBytes();
      }
    }
  }

  private byte[] manifest(TargetArch arch, List<BundleReport.Entry> entries) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("name", "kiln-agent");
    root.put("version", build.version());
    root.put("os", "linux");
    root.put("arch", arch.id());
    ArrayNode files = root.putArray("files");
    for (BundleReport.Entry entry : entries) {
      files
          .addObject()
          .put("path", entry.path())
          .put("bytes", entry.bytes())
          .put("sha256", entry.sha256());
    }
    return Json.toBytes(root);
  }

  private static void writeTar(String top, Map<String, Staged> staged, Path bundle)
      throws IOException {
    Path temp = Files.createTempFile(bundle.getParent(), "." + bundle.getFileName(), ".partial");
    try {
      try (OutputStream file = Files.newOutputStream(temp);
          TarGzWriter tar = new TarGzWriter(file)) {
        TreeSet<String> dirs = new TreeSet<>();
        dirs.add(top);
        for (String path : staged.keySet()) {
          for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            dirs.add(top + "/" + path.substring(0, i));
          }
        }
        for (String dir : dirs) {
          tar.directory(dir);
        }
        for (Map.Entry<String, Staged> item : staged.entrySet()) {
          Staged entry = item.getValue();
          String name = top + "/" + item.getKey();
          if (entry.source() != null) {
            tar.file(name, entry.mode(), entry.source());
          } else {
            tar.file(name, entry.mode(), entry.content());
          }
        }
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(temp, bundle, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      AtomicFiles.fsyncDirectory(bundle.getParent());
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException ignored) {
      // Scratch lives beside the bundle as a dot-directory; a leftover is harmless.
    }
  }
}
