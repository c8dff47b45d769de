package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ir.ShapeSpecializer;
import dev.kiln.compiler.ir.ShapeSpecializer.Dim;
import dev.kiln.compiler.ir.proto.ModelProtoOrBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Decides what size generated inputs give a model's dynamic dims when the user gave neither {@code
 * --input-shape} nor real inputs. Only a leading batch dim (dim 0 of an input of rank 2 or more)
 * may be made up: one sample is what a device serves per request, so 1 verifies and times the real
 * thing. Any other dynamic dim (an image's height, a signal's length) has no honest default: at 1
 * the model is verified on a 1x1 image and looks slower or faster than it is, so the compile stops
 * and asks.
 */
final class GeneratedInputShapes {
  private GeneratedInputShapes() {}

  /**
   * @return what the report says about made-up sizes, e.g. {@code "dynamic dim 'batch' of input set
   *     to 1"}; empty when every dim is static
   * @throws CompileException BAD_INPUT_SHAPE naming every dynamic dim that is not a batch dim
   */
  static String check(ModelProtoOrBuilder model) {
    return check(model, Set.of());
  }

  /**
   * As {@link #check(ModelProtoOrBuilder)}, for the inputs other than {@code sized}, whose dynamic
   * dims already have sizes (from the device profile).
   */
  static String check(ModelProtoOrBuilder model, Set<String> sized) {
    Map<String, List<Dim>> inputs = new LinkedHashMap<>(ShapeSpecializer.inputDims(model));
    inputs.keySet().removeAll(sized);
    List<String> batch = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    List<String> examples = new ArrayList<>();
    inputs.forEach(
        (name, dims) -> {
          StringJoiner example = new StringJoiner("x", name + ":", "");
          boolean needsExample = false;
          for (int d = 0; d < dims.size(); d++) {
            Dim dim = dims.get(d);
            if (!dim.dynamic()) {
              example.add(Long.toString(dim.size()));
            } else if (d == 0 && dims.size() >= 2) {
              batch.add(label(name, d, dim));
              example.add("1");
            } else {
              unknown.add(label(name, d, dim));
              example.add("<" + (dim.name().isEmpty() ? "dim" + d : dim.name()) + ">");
              needsExample = true;
            }
          }
          if (needsExample) {
            examples.add("--input-shape " + example);
          }
        });
    if (!unknown.isEmpty()) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT_SHAPE,
          "the model has dynamic dims Kiln cannot guess: "
              + String.join(", ", unknown)
              + ". Verification and the benchmark would run at a made-up size (1), which proves and"
              + " measures nothing about real inputs. Give the sizes the device will see, e.g. "
              + String.join(" ", examples)
              + " (replace each <name> with a size), or real inputs with --calibration-data FILE,"
              + " or declare the device's sizes in its profile (inputSizes, see"
              + " docs/device-profiles.md).");
    }
    return batch.isEmpty() ? "" : "dynamic batch dim " + String.join(", ", batch) + " set to 1";
  }

  private static String label(String input, int index, Dim dim) {
    return (dim.name().isEmpty() ? "dim " + index : "'" + dim.name() + "' (dim " + index + ")")
        + " of "
        + input;
  }
}
