package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.ModelProto;
import java.util.List;

/**
 * A reduced-precision model plus its precision table.
 *
 * @param scheme for people and the manifest, e.g. "fp16 weights and activations, fp32 inputs and
 *     outputs"
 */
public record ReducedModel(ModelProto model, List<NodePrecision> nodes, String scheme) {}
