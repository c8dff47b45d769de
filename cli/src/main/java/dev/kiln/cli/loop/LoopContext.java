package dev.kiln.cli.loop;

import dev.kiln.cli.demo.DemoFleet;
import dev.kiln.cli.demo.DemoSteps;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.cloud.store.CaptureStore;
import java.nio.file.Path;

/**
 * What every step of the loop works with once the cloud side and the agents run.
 *
 * @param home the Kiln checkout (samples/)
 * @param dir the loop's working folder
 * @param python a python with torch and onnx
 * @param key the artifact signing key (private half; the public one beside it)
 * @param source version 1's ONNX model
 */
record LoopContext(
    DemoSteps steps,
    CaptureStore store,
    CaptureQueries queries,
    DemoFleet fleet,
    LabelledTraffic traffic,
    Path home,
    Path dir,
    Path python,
    Path key,
    Path source) {}
