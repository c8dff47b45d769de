package dev.kiln.bench.agent;

import dev.kiln.agent.cds.ClassDataArchive;
import dev.kiln.agent.service.DeviceJvm;
import dev.kiln.testkit.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run agent-classlist}: regenerates the class list the agent jar carries for its
 * class-data archive ({@link ClassDataArchive#CLASS_LIST_RESOURCE}). A real agent with the device
 * options serves the sample CNN (start, N JSON requests, SIGTERM) under {@code
 * -XX:DumpLoadedClassList}; dynamic proxies, which an archive cannot hold, are left out. Run it
 * when the agent's start-up path changes; a stale list only means some classes load from jars.
 */
public final class ClassListWriter {
  private static final String HEADER =
      "# Classes the agent loads serving the sample CNN (start, 1,000 JSON requests, stop), for\n"
          + "# `java -Xshare:dump` (dev.kiln.agent.cds.ClassDataArchive)."
          + " Regenerate: bench/run agent-classlist\n";

  private ClassListWriter() {}

  /** Writes the list into the edge-agent sources and returns its path and class count. */
  public static String write(Path repo, int requests) throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-classlist");
    BenchModel model = BenchModel.compile(repo, "cnn/cnn.onnx", work);
    Path raw = work.resolve("raw.classlist");
    List<String> options = new ArrayList<>(DeviceJvm.options(DeviceJvm.DEFAULT_HEAP));
    options.add("-XX:DumpLoadedClassList=" + raw);
    JvmVariant variant =
        new JvmVariant(
            "class list", options, Map.of("MALLOC_ARENA_MAX", DeviceJvm.MALLOC_ARENA_MAX));
    int port = FreePorts.next();
    Path config = work.resolve("agent.json");
    Files.writeString(config, AgentSetup.of(model, 0, 1).withPort(port).json(work, "classlist"));
    Invoker invoker = new Invoker("http://127.0.0.1:" + port, model.requestJson(), null);
    try (AgentProcess agent =
        AgentProcess.agent(
            config, work.resolve("process.log"), variant, DeviceJvmBench.agentClasspath(repo))) {
      agent.awaitFirstInferenceMillis(invoker, work.resolve("process.log"), 180);
      for (int r = 0; r < requests; r++) {
        invoker.invoke();
      }
    }
    StringBuilder list = new StringBuilder(HEADER);
    int classes = 0;
    for (String line : Files.readAllLines(raw)) {
      if (line.isBlank() || line.startsWith("#") || line.contains("$Proxy")) {
        continue;
      }
      list.append(line).append('\n');
      classes++;
    }
    Path target =
        repo.resolve("edge-agent/src/main/resources").resolve(ClassDataArchive.CLASS_LIST_RESOURCE);
    Files.writeString(target, list, StandardCharsets.UTF_8);
    return target + ": " + classes + " lines";
  }
}
