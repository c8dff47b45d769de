package dev.kiln.cli.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A small but real edge-agent/target tree: jars laid out and named as Maven leaves them, with the
 * native directories of the real ONNX Runtime and DJL jars, just tiny files inside.
 */
final class FakeAgentBuild {
  private FakeAgentBuild() {}

  static Path create(Path repo) throws IOException {
    Path target = Files.createDirectories(repo.resolve("edge-agent/target"));
    Path lib = Files.createDirectories(target.resolve("lib"));
    Path natives = Files.createDirectories(target.resolve("natives-aarch64"));
    jar(
        target.resolve("kiln-edge-agent-0.1.0-SNAPSHOT.jar"),
        "dev/kiln/agent/cli/AgentMain.class",
        AgentBundler.TEMPLATE);
    jar(
        lib.resolve("onnxruntime-1.21.1.jar"),
        "ai/onnxruntime/OrtSession.class",
        "ai/onnxruntime/native/linux-aarch64/libonnxruntime.so",
        "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
        "ai/onnxruntime/native/osx-aarch64/libonnxruntime.dylib",
        "ai/onnxruntime/native/win-x64/onnxruntime.pdb");
    jar(
        lib.resolve("pytorch-jni-2.7.1-0.35.1.jar"),
        "jnilib/pytorch.properties",
        "jnilib/linux-aarch64/cpu/libdjl_torch.so",
        "jnilib/linux-x86_64/cpu/libdjl_torch.so",
        "jnilib/win-x86_64/cpu/djl_torch.dll");
    jar(
        lib.resolve("pytorch-native-cpu-2.7.1-linux-x86_64.jar"),
        "pytorch/cpu/linux-x86_64/libtorch_cpu.so");
    jar(lib.resolve("jackson-databind-2.17.2.jar"), "com/fasterxml/jackson/databind/X.class");
    jar(
        lib.resolve("jna-5.17.0.jar"),
        "com/sun/jna/Native.class",
        "com/sun/jna/ptr/IntByReference.class",
        "com/sun/jna/linux-aarch64/libjnidispatch.so",
        "com/sun/jna/linux-x86-64/libjnidispatch.so",
        "com/sun/jna/win32-x86-64/jnidispatch.dll");
    jar(
        natives.resolve("pytorch-native-cpu-2.7.1-linux-aarch64.jar"),
        "pytorch/cpu/linux-aarch64/libtorch_cpu.so");
    return target;
  }

  static void jar(Path path, String... entries) throws IOException {
    try (OutputStream file = Files.newOutputStream(path);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      for (String name : entries) {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(("content of " + name).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
  }
}
