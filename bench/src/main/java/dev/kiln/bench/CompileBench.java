package dev.kiln.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.TensorData;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.OrtSessions;
import dev.kiln.compiler.pipeline.CompileRequest;
import dev.kiln.compiler.pipeline.Compiler;
import dev.kiln.compiler.pipeline.ProgressListener;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiled vs source latency on this host. Three sessions run interleaved in one process on the
 * same inputs: the source with ONNX Runtime's optimizer off (the unoptimized model), the source at
 * ONNX Runtime's defaults (what a user gets without Kiln), and the compiled payload loaded as the
 * agent loads it. Ratios against the two baselines are what the report states.
 */
public final class CompileBench {
  record Row(String model, String target, String baseline, Stats base, Stats compiled) {}

  /** Session creation time: what a device pays at every (re)load. */
  record LoadRow(String model, Stats sourceDefaults, Stats compiled) {}

  static final List<LoadRow> LOADS = new ArrayList<>();

  private CompileBench() {}

  public static List<Row> run(Path repo, List<String> models, int runs, int threads)
      throws Exception {
    List<Row> rows = new ArrayList<>();
    Path work = Files.createTempDirectory("kiln-bench-compile");
    Compiler compiler = new Compiler(DeviceProfiles.fromClasspath(), ProgressListener.SILENT);
    for (String model : models) {
      Path source = repo.resolve("samples/models").resolve(model);
      String name = source.getFileName().toString().replace(".onnx", "");
      Path out = work.resolve(name + ".kiln");
      CompileRequest request =
          CompileRequest.of(source, "x86_64", out).withSkipBenchmark(true).withForce(true);
      compiler.compile(request);
      Artifact artifact = Artifact.unpack(out, work.resolve(name));
      OptLevel deviceLevel =
          OptLevel.valueOf(artifact.manifest().engine().sessionOptions().get("optLevel"));
      Map<String, HostTensor> inputs = new LinkedHashMap<>();
      for (Map.Entry<String, TensorData> in : artifact.sample().inputs().entrySet()) {
        inputs.put(in.getKey(), HostTensor.of(in.getValue()));
      }
      try (OrtSession raw = OrtSessions.open(source, OptLevel.NO_OPT, threads);
          OrtSession ortDefault = OrtSessions.open(source, OptLevel.ALL_OPT, threads);
          OrtSession compiled = OrtSessions.open(artifact.payloadPath(), deviceLevel, threads)) {
        Stats[] s = interleave(List.of(raw, ortDefault, compiled), inputs, runs);
        rows.add(new Row(name, "x86_64 (host)", "source, ORT optimizer off", s[0], s[2]));
        rows.add(new Row(name, "x86_64 (host)", "source, ORT defaults", s[1], s[2]));
      }
      LOADS.add(loadTimes(name, source, artifact.payloadPath(), deviceLevel, threads));
    }
    return rows;
  }

  private static LoadRow loadTimes(
      String name, Path source, Path compiled, OptLevel deviceLevel, int threads)
      throws OrtException {
    int n = 20;
    double[] src = new double[n];
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      try (OrtSession s = OrtSessions.open(source, OptLevel.ALL_OPT, threads)) {
        src[i] = (System.nanoTime() - t) / 1e6;
      }
      t = System.nanoTime();
      try (OrtSession s = OrtSessions.open(compiled, deviceLevel, threads)) {
        out[i] = (System.nanoTime() - t) / 1e6;
      }
    }
    return new LoadRow(name, Stats.of(src), Stats.of(out));
  }

  private static Stats[] interleave(
      List<OrtSession> sessions, Map<String, HostTensor> inputs, int runs) throws OrtException {
    for (int i = 0; i < Math.max(10, runs / 10); i++) {
      for (OrtSession s : sessions) {
        OrtSessions.run(s, inputs);
      }
    }
    double[][] times = new double[sessions.size()][runs];
    for (int i = 0; i < runs; i++) {
      // Rotating the order cancels any advantage of running first or last in a round.
      for (int k = 0; k < sessions.size(); k++) {
        int j = (i + k) % sessions.size();
        long t = System.nanoTime();
        OrtSessions.run(sessions.get(j), inputs);
        times[j][i] = (System.nanoTime() - t) / 1e6;
      }
    }
    Stats[] out = new Stats[sessions.size()];
    for (int j = 0; j < out.length; j++) {
      out[j] = Stats.of(times[j]);
    }
    return out;
  }
}
