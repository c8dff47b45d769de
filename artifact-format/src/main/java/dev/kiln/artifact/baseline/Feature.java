package dev.kiln.artifact.baseline;

/**
 * One scalar feature per record: an element of a small input, or a channel mean of a large one (see
 * {@link TensorFeatures}).
 *
 * @param name the feature's name, e.g. {@code x[2]} or {@code image:c0}
 * @param tensor the tensor it comes from
 * @param reduction how it is taken from the tensor: {@code element}, {@code channel-mean} or {@code
 *     mean}
 * @param summary exact statistics over every record
 * @param bins about ten bins of equal baseline mass (deciles), for PSI and Jensen-Shannon
 * @param cdfBins about a hundred (percentiles), for Kolmogorov-Smirnov
 */
public record Feature(
    String name,
    String tensor,
    String reduction,
    Summary summary,
    Histogram bins,
    Histogram cdfBins) {}
