package dev.kiln.compiler.accuracy;

/**
 * The gate's measures for one model output over all held-out samples.
 *
 * @param top1Agreement share of classifier rows whose arg-max agrees with fp32; null when the
 *     output is not classifier-shaped (see {@link AccuracyGate#isClassifier}) or every row is a tie
 * @param ties classifier rows not judged because fp32 itself is undecided within the noise
 * @param relativeError the worst sample's ||fp32 - reduced|| / ||fp32|| (L2 norms)
 * @param maxAbsError the largest element-wise difference seen
 * @param sqnrDb 10 log10(signal energy / noise energy), summed over all samples; +Infinity when the
 *     outputs are identical
 */
public record OutputFigures(
    String output,
    Double top1Agreement,
    int ties,
    double relativeError,
    double maxAbsError,
    double sqnrDb,
    boolean passed) {}
