package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.ir.InputShapes;
import dev.kiln.compiler.ir.ShapeSpecializer;
import dev.kiln.compiler.ir.ShapeSpecializer.Dim;
import dev.kiln.compiler.ir.proto.ModelProtoOrBuilder;
import dev.kiln.profile.DeviceProfile;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sizes a model's dynamic dims from the device profile's declared input sizes, for compiles that
 * have neither {@code --input-shape} nor real inputs. A dim whose symbolic name the profile lists
 * takes that size; otherwise the profile's shape for the input's rank does, when it agrees with
 * every static dim of the input (so NCHW sizes never land on an NHWC input). A leading batch dim
 * nobody sizes gets 1, as with generated inputs. An input the profile cannot size completely is
 * left out: {@link GeneratedInputShapes} then names its dims.
 */
final class ProfileInputSizes {
  /**
   * @param shapes full shapes, as {@code --input-shape} would give them, for the inputs the profile
   *     sized; empty when it sized none
   * @param note what the report says about where the sizes came from
   */
  record Resolved(Map<String, long[]> shapes, String note) {}

  private static final Resolved NONE = new Resolved(Map.of(), "");

  private ProfileInputSizes() {}

  static Resolved resolve(ModelProtoOrBuilder model, DeviceProfile profile) {
    DeviceProfile.InputSizes sizes = profile.inputSizes();
    if (sizes == null) {
      return NONE;
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Set<String> used = new LinkedHashSet<>();
    Set<String> batch = new LinkedHashSet<>();
    ShapeSpecializer.inputDims(model)
        .forEach(
            (input, dims) -> {
              long[] shape = size(input, dims, sizes, used, batch);
              if (shape != null) {
                shapes.put(input, shape);
              }
            });
    if (shapes.isEmpty()) {
      return NONE;
    }
    return new Resolved(
        shapes,
        "sizes from device profile "
            + profile.name()
            + " (inputSizes: "
            + String.join(", ", used)
            + ")"
            + (batch.isEmpty() ? "" : "; " + String.join(", ", batch)));
  }

  /** The input's full shape, or null when it has no dynamic dim or one the profile cannot size. */
  private static long[] size(
      String input,
      List<Dim> dims,
      DeviceProfile.InputSizes sizes,
      Set<String> used,
      Set<String> batch) {
    List<Long> template = sizes.byRank().get(Integer.toString(dims.size()));
    for (int d = 0; template != null && d < dims.size(); d++) {
      if (!dims.get(d).dynamic() && dims.get(d).size() != template.get(d)) {
        template = null;
      }
    }
    long[] shape = new long[dims.size()];
    boolean fromProfile = false;
    Set<String> usedHere = new LinkedHashSet<>();
    String batchHere = null;
    for (int d = 0; d < dims.size(); d++) {
      Dim dim = dims.get(d);
      Long named = dim.name().isEmpty() ? null : sizes.dims().get(dim.name());
      if (!dim.dynamic()) {
        shape[d] = dim.size();
      } else if (named != null) {
        shape[d] = named;
        usedHere.add(dim.name() + "=" + named);
        fromProfile = true;
      } else if (template != null) {
        shape[d] = template.get(d);
        usedHere.add("byRank." + dims.size() + "=" + InputShapes.format(toArray(template)));
        fromProfile = true;
      } else if (d == 0 && dims.size() >= 2) {
        shape[d] = 1;
        batchHere = "dynamic batch dim of " + input + " set to 1";
      } else {
        return null;
      }
    }
    if (!fromProfile) {
      return null;
    }
    used.addAll(usedHere);
    if (batchHere != null) {
      batch.add(batchHere);
    }
    return shape;
  }

  private static long[] toArray(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).toArray();
  }
}
