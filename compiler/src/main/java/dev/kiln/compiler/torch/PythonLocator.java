package dev.kiln.compiler.torch;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds a python that can {@code import torch}, which the ONNX path needs to export TorchScript.
 * Candidates, first that works wins: {@code KILN_PYTHON} alone when set, else /usr/bin/python3
 * (Debian's python3-torch installs there), else python3 on PATH. The probe runs once per locator.
 */
final class PythonLocator {
  static final String ENV = "KILN_PYTHON";
  static final String INSTALL_HINT =
      "install it with `apt-get install python3-torch` (Debian/Ubuntu), or point "
          + ENV
          + " at a python that has torch";
  private static final long PROBE_TIMEOUT_S = 120;
  private static final PythonLocator DEFAULT = fromEnvironment(System.getenv());

  /** A python with torch, and torch's version as it reports it (e.g. "1.13.0a0"). */
  record Found(Path python, String torchVersion) {}

  /**
   * @param found the python to use, or null
   * @param tried each candidate with why it was not used, for the error message
   */
  record Probe(Found found, List<String> tried) {}

  private final List<Path> candidates;
  private Probe probe;

  private PythonLocator(List<Path> candidates) {
    this.candidates = List.copyOf(candidates);
  }

  static PythonLocator standard() {
    return DEFAULT;
  }

  static PythonLocator fromEnvironment(Map<String, String> env) {
    String configured = env.get(ENV);
    if (configured != null && !configured.isBlank()) {
      return at(Path.of(configured));
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("/usr/bin/python3"));
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path python = Path.of(dir, "python3");
      if (Files.isExecutable(python) && !candidates.contains(python)) {
        candidates.add(python);
      }
    }
    return new PythonLocator(candidates);
  }

  /** Only this python; how tests simulate a host without one. */
  static PythonLocator at(Path python) {
    return new PythonLocator(List.of(python));
  }

  synchronized Probe probe() {
    if (probe == null) {
      List<String> tried = new ArrayList<>();
      Found found = null;
      for (Path python : candidates) {
        String why = check(python);
        if (why.startsWith("ok ")) {
          found = new Found(python, why.substring(3));
          break;
        }
        tried.add(python + ": " + why);
      }
      probe = new Probe(found, tried);
    }
    return probe;
  }

  private static String check(Path python) {
    if (!Files.isExecutable(python)) {
      return Files.exists(python) ? "not executable" : "not found";
    }
    Path out = null;
    try {
      out = Files.createTempFile("kiln-python-probe", ".txt");
      Process process =
          new ProcessBuilder(
                  python.toString(), "-c", "import torch; print('ok ' + torch.__version__)")
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!process.waitFor(PROBE_TIMEOUT_S, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "`import torch` did not finish in " + PROBE_TIMEOUT_S + " s";
      }
      String text = Files.readString(out, StandardCharsets.UTF_8).strip();
      String last = TorchModule.lastLine(text);
      if (process.exitValue() == 0 && last.startsWith("ok ")) {
        return last;
      }
      return "cannot import torch (" + last + ")";
    } catch (IOException e) {
      return "cannot run (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // A probe log in temp space; harmless.
        }
      }
    }
  }
}
