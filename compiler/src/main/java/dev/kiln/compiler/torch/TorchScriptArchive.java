package dev.kiln.compiler.torch;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Tells a TorchScript archive from the files people mistake for one, before libtorch is asked to
 * load it: libtorch's own message for an eager {@code state_dict} ("constants.pkl not found") does
 * not say what to do.
 */
final class TorchScriptArchive {
  static final String FIX =
      "trace or script the model in python, then compile the saved file:\n"
          + "    traced = torch.jit.trace(model.eval(), example_input)\n"
          + "    traced.save(\"model.pt\")";

  private TorchScriptArchive() {}

  /** Returns normally only for a zip laid out as TorchScript ({@code constants.pkl} + code). */
  static void check(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "no model file at " + file + "; give the path to an .onnx or TorchScript .pt file");
    }
    if (isPickle(file)) {
      throw eager(file, "it is a pickled object saved with torch.save (legacy format)");
    }
    boolean constants = false;
    boolean code = false;
    boolean data = false;
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        constants |= name.endsWith("/constants.pkl");
        code |= name.contains("/code/");
        data |= name.endsWith("/data.pkl");
      }
    } catch (ZipException e) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          file
              + " is not a TorchScript model: it is not a zip archive. Kiln compiles TorchScript"
              + " (.pt from torch.jit.trace or torch.jit.script) and ONNX (.onnx); to use this"
              + " model, "
              + FIX,
          e);
    } catch (IOException e) {
      throw new CompileException(CompileErrorCode.IO_ERROR, "cannot read " + file, e);
    }
    if (constants && (code || data)) {
      return;
    }
    if (data) {
      throw eager(file, "it holds pickled tensors (data.pkl) but no TorchScript code");
    }
    throw new CompileException(
        CompileErrorCode.BAD_INPUT,
        file
            + " is a zip archive but not a TorchScript model (no constants.pkl or code/). Kiln"
            + " compiles TorchScript (.pt) and ONNX (.onnx); "
            + FIX);
  }

  private static CompileException eager(Path file, String what) {
    return new CompileException(
        CompileErrorCode.BAD_INPUT,
        file
            + " is not TorchScript: "
            + what
            + ", like a state_dict or an eager model saved with torch.save. Weights alone cannot"
            + " be compiled, because the code of the model is not in the file; "
            + FIX);
  }

  private static boolean isPickle(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(2);
      return head.length == 2 && (head[0] & 0xff) == 0x80 && (head[1] & 0xff) <= 5;
    } catch (IOException e) {
      return false;
    }
  }
}
