package dev.kiln.cli.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The loop's sample task, the same as {@code samples/drift_task.py} (keep the two in step): two
 * features, two classes, {@code label = 1 if x1 > 1.5 cos(1.3 x0)}. Before the drift x0 ~ N(0,
 * 0.7); after it x0 ~ N(3.0, 0.5), where the boundary rises again and version 1, which never saw
 * it, extrapolates the wrong way. x1 ~ N(0, 1.5) throughout. The known shift is on {@code
 * input[0]}.
 */
final class LoopTask {
  static final String MODEL = "drift";
  static final String MODEL_FILE = "samples/models/drift/drift.onnx";
  static final String SHIFTED_FEATURE = "input[0]";

  private static final double BASE_X0_MEAN = 0.0;
  private static final double BASE_X0_STD = 0.7;
  private static final double DRIFTED_X0_MEAN = 3.0;
  private static final double DRIFTED_X0_STD = 0.5;
  private static final double X1_STD = 1.5;

  private LoopTask() {}

  /** One input {@code [x0, x1]} from the distribution before or after the drift. */
  static float[] draw(SplittableRandom random, boolean drifted) {
    double x0 =
        drifted
            ? DRIFTED_X0_MEAN + DRIFTED_X0_STD * gaussian(random)
            : BASE_X0_MEAN + BASE_X0_STD * gaussian(random);
    return new float[] {(float) x0, (float) (X1_STD * gaussian(random))};
  }

  /** The true class of an input. */
  static int truth(float[] x) {
    return x[1] > 1.5 * Math.cos(1.3 * x[0]) ? 1 : 0;
  }

  /** {@code n} inputs from before the drift as calibration JSONL: version 1's baseline. */
  static Path calibration(Path file, int n, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      float[] x = draw(random, false);
      out.append("{\"inputs\":{\"input\":{\"dtype\":\"float32\",\"shape\":[1,2],\"data\":[")
          .append(x[0])
          .append(',')
          .append(x[1])
          .append("]}}}\n");
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, out);
    return file;
  }

  /** Box-Muller, so the draws depend only on the seed, not on a JDK's nextGaussian. */
  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
