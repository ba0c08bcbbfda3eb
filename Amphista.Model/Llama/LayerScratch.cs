using Amphista.Tensors;

namespace Amphista.Model.Llama;

/// <summary>
/// The working buffers of a decoder layer pass. They are allocated for the most rows a caller has
/// needed so far (the prompt pass) and then used at each step's row count, so decoding steps
/// allocate nothing. One instance serves every layer of a stack: layers run one after another.
/// </summary>
public sealed class LayerScratch(int width, int queryWidth, int kvWidth, int mlpWidth)
{
    private int capacity;

    public Tensor H { get; private set; } = new(0, width);                 // [T, D]      normed input
    public Tensor Q { get; private set; } = new(0, queryWidth);            // [T, H·Dh]
    public Tensor K { get; private set; } = new(0, kvWidth);               // [T, Hkv·Dh]
    public Tensor V { get; private set; } = new(0, kvWidth);               // [T, Hkv·Dh]
    public Tensor Attention { get; private set; } = new(0, queryWidth);    // [T, H·Dh]
    public Tensor Delta { get; private set; } = new(0, width);             // [T, D]      a block's update
    public Tensor Gate { get; private set; } = new(0, mlpWidth);           // [T, F]
    public Tensor Up { get; private set; } = new(0, mlpWidth);             // [T, F]

    /// <summary>Buffers shaped for layers like w (every layer of a stack has the same shapes).</summary>
    public static LayerScratch For(DecoderLayerWeights w) => new(w.Wq.Cols, w.Wq.Rows, w.Wk.Rows, w.Gate.Rows);

    /// <summary>Every buffer at rows rows (grown when a pass is larger than any before).</summary>
    public LayerScratch Use(int rows)
    {
        if (rows > capacity)
        {
            (H, Q, K, V) = (new(rows, width), new(rows, queryWidth), new(rows, kvWidth), new(rows, kvWidth));
            (Attention, Delta, Gate, Up) = (new(rows, queryWidth), new(rows, width), new(rows, mlpWidth), new(rows, mlpWidth));
            capacity = rows;
        }
        H.Resize(rows);
        Q.Resize(rows);
        K.Resize(rows);
        V.Resize(rows);
        Attention.Resize(rows);
        Delta.Resize(rows);
        Gate.Resize(rows);
        Up.Resize(rows);
        return this;
    }
}
