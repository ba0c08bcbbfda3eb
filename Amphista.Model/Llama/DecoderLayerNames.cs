namespace Amphista.Model.Llama;

/// <summary>
/// Hugging Face's names of a Llama decoder layer's nine tensors, after the layer's prefix (such as
/// "model.layers.3."): every reader and writer of layers, for inference and training, names them from here.
/// </summary>
public static class DecoderLayerNames
{
    public const string AttentionNorm = "input_layernorm.weight";
    public const string Wq = "self_attn.q_proj.weight", Wk = "self_attn.k_proj.weight";
    public const string Wv = "self_attn.v_proj.weight", Wo = "self_attn.o_proj.weight";
    public const string MlpNorm = "post_attention_layernorm.weight";
    public const string Gate = "mlp.gate_proj.weight", Up = "mlp.up_proj.weight", Down = "mlp.down_proj.weight";
}
