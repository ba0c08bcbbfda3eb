using System.Text;
using Amphista.Model.Checkpoints;
using Amphista.Tensors;

namespace Amphista.Tests.Checkpoints;

/// <summary>
/// The reader rejects every malformed safetensors file with a CheckpointException whose message
/// names the file and the fact that is wrong (and the tensor, where one is involved).
/// </summary>
public sealed class SafeTensorsFileValidationTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    private CheckpointException Rejects(string path)
    {
        var e = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Open(path).Dispose());
        Assert.Contains(path, e.Message);
        return e;
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Fact]
    public void A_file_shorter_than_the_8_byte_length_prefix_is_reported_truncated()
    {
        var e = Rejects(files.WriteBytes("short.safetensors", [1, 2, 3]));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void An_empty_file_is_reported_truncated()
    {
        var e = Rejects(files.WriteBytes("empty.safetensors", []));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_file_cut_inside_its_header_is_reported_truncated()
    {
        string path = files.PathOf("whole.safetensors");
        SafeTensorsWriter.WriteF32(path, [("w", [2, 2], new float[4])]);
        byte[] whole = File.ReadAllBytes(path);
        var e = Rejects(files.WriteBytes("cut.safetensors", whole[..20]));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("header length", e.Message);
    }

    [Fact]
    public void A_header_length_beyond_the_end_of_the_file_is_rejected()
    {
        byte[] header = Encoding.UTF8.GetBytes("{}");
        var e = Rejects(files.WriteBytes("long.safetensors", TestFiles.Raw(5000, header, 0)));
        Assert.Contains("header length 5000", e.Message);
        Assert.Contains("past the end of the file", e.Message);
    }

    [Fact]
    public void A_header_length_over_100_MB_is_rejected_before_reading_it()
    {
        byte[] header = Encoding.UTF8.GetBytes("{}");
        var e = Rejects(files.WriteBytes("huge.safetensors", TestFiles.Raw(1UL << 40, header, 0)));
        Assert.Contains("exceeds the 100000000-byte limit", e.Message);
    }

    [Fact]
    public void A_file_cut_inside_its_data_block_names_the_tensor_whose_bytes_are_missing()
    {
        string path = files.PathOf("whole.safetensors");
        SafeTensorsWriter.WriteF32(path, [("a", [4], new float[4]), ("b", [4], new float[4])]);
        byte[] whole = File.ReadAllBytes(path);
        var e = Rejects(files.WriteBytes("cut.safetensors", whole[..^4]));
        Assert.Contains("tensor 'b'", e.Message);
        Assert.Contains("beyond the data block", e.Message);
    }

    [Fact]
    public void Data_offsets_outside_the_data_block_are_rejected_naming_the_tensor()
    {
        var e = Rejects(files.WriteRaw("out.safetensors", "{" + Entry("w", "F32", "[4]", 0, 16) + "}", 8));
        Assert.Contains("tensor 'w'", e.Message);
        Assert.Contains("end 16 is beyond the data block (8 bytes)", e.Message);
    }

    [Fact]
    public void A_byte_size_not_matching_shape_and_dtype_is_rejected_with_both_sizes()
    {
        var e = Rejects(files.WriteRaw("size.safetensors", "{" + Entry("w", "BF16", "[3, 2]", 0, 24) + "}", 24));
        Assert.Contains("tensor 'w'", e.Message);
        Assert.Contains("holds 24 bytes but shape [3, 2] of BF16 needs 12", e.Message);
    }

    [Fact]
    public void An_unknown_dtype_is_rejected_by_name()
    {
        var e = Rejects(files.WriteRaw("c64.safetensors", "{" + Entry("logits", "C64", "[2]", 0, 16) + "}", 16));
        Assert.Contains("tensor 'logits'", e.Message);
        Assert.Contains("dtype 'C64'", e.Message);
    }

    [Fact]
    public void Overlapping_tensors_are_rejected_naming_both()
    {
        string header = "{" + Entry("first", "F32", "[4]", 0, 16) + "," + Entry("second", "F32", "[4]", 8, 24) + "}";
        var e = Rejects(files.WriteRaw("overlap.safetensors", header, 24));
        Assert.Contains("'first'", e.Message);
        Assert.Contains("'second'", e.Message);
        Assert.Contains("overlap", e.Message);
    }

    [Fact]
    public void A_gap_between_tensors_is_rejected_naming_both()
    {
        string header = "{" + Entry("first", "F32", "[2]", 0, 8) + "," + Entry("second", "F32", "[2]", 12, 20) + "}";
        var e = Rejects(files.WriteRaw("gap.safetensors", header, 20));
        Assert.Contains("gap of 4 bytes between tensor 'first' and tensor 'second'", e.Message);
    }

    [Fact]
    public void A_data_block_not_starting_at_offset_zero_is_rejected()
    {
        var e = Rejects(files.WriteRaw("lead.safetensors", "{" + Entry("w", "F32", "[2]", 8, 16) + "}", 16));
        Assert.Contains("gap of 8 bytes between the start of the data block and tensor 'w'", e.Message);
    }

    [Fact]
    public void Unused_bytes_after_the_last_tensor_are_rejected()
    {
        var e = Rejects(files.WriteRaw("tail.safetensors", "{" + Entry("w", "F32", "[2]", 0, 8) + "}", 12));
        Assert.Contains("4 unused bytes", e.Message);
        Assert.Contains("'w'", e.Message);
    }

    [Fact]
    public void Begin_after_end_is_rejected()
    {
        var e = Rejects(files.WriteRaw("rev.safetensors", "{" + Entry("w", "F32", "[0]", 8, 0) + "}", 8));
        Assert.Contains("tensor 'w'", e.Message);
        Assert.Contains("begin 8 > end 0", e.Message);
    }

    [Fact]
    public void A_negative_dimension_is_rejected()
    {
        var e = Rejects(files.WriteRaw("neg.safetensors", "{" + Entry("w", "F32", "[-2]", 0, 0) + "}", 0));
        Assert.Contains("negative dimension -2", e.Message);
    }

    [Theory]
    [InlineData("dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}")]
    [InlineData("data_offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}")]
    public void An_entry_missing_a_required_key_is_rejected_naming_the_key(string key, string header)
    {
        var e = Rejects(files.WriteRaw($"no-{key}.safetensors", header, 4));
        Assert.Contains("tensor 'w'", e.Message);
        Assert.Contains($"'{key}'", e.Message);
    }

    [Fact]
    public void A_header_that_is_not_json_is_rejected()
    {
        var e = Rejects(files.WriteRaw("bad.safetensors", "{\"w\": [", 0));
        Assert.Contains("not valid UTF-8 JSON", e.Message);
    }

    [Fact]
    public void A_header_with_invalid_utf8_is_rejected()
    {
        byte[] header = [(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        var e = Rejects(files.WriteBytes("utf8.safetensors", TestFiles.Raw((ulong)header.Length, header, 0)));
        Assert.Contains("not valid UTF-8 JSON", e.Message);
    }

    [Fact]
    public void A_header_that_is_not_an_object_is_rejected()
    {
        var e = Rejects(files.WriteRaw("array.safetensors", "[1, 2]", 0));
        Assert.Contains("must be a JSON object", e.Message);
    }

    [Fact]
    public void A_tensor_name_given_twice_is_rejected()
    {
        string header = "{" + Entry("w", "F32", "[1]", 0, 4) + "," + Entry("w", "F32", "[1]", 4, 8) + "}";
        var e = Rejects(files.WriteRaw("dup.safetensors", header, 8));
        Assert.Contains("not valid UTF-8 JSON", e.Message);
        Assert.Contains("Duplicate property 'w'", e.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_as_not_found()
    {
        var e = Rejects(files.PathOf("absent.safetensors"));
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Scalars_and_empty_tensors_are_valid()
    {
        string header = "{" + Entry("empty", "F32", "[0, 3]", 0, 0) + "," + Entry("scalar", "I64", "[]", 0, 8) + "}";
        using var file = SafeTensorsFile.Open(files.WriteRaw("edge.safetensors", header, 8));
        Assert.Equal(0, file.Bytes(file.Entries["empty"]).Length);
        Assert.Equal(DType.I64, file.Entries["scalar"].Type);
        Assert.Empty(file.Entries["scalar"].Shape);
    }

    [Fact]
    public void Reading_bytes_after_dispose_throws()
    {
        string path = files.PathOf("w.safetensors");
        SafeTensorsWriter.WriteF32(path, [("w", [1], [1f])]);
        var file = SafeTensorsFile.Open(path);
        var entry = file.Entries["w"];
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Bytes(entry).Length);
    }
}
