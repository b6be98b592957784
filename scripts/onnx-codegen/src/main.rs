//! Generates `core/src/nn/onnx/proto.rs` from `core/src/nn/onnx/onnx.proto`.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let onnx = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../core/src/nn/onnx");
    let descriptors = protox::compile([onnx.join("onnx.proto")], [&onnx])?;
    let out = tempdir()?;
    prost_build::Config::new()
        .out_dir(&out)
        .compile_fds(descriptors)?;
    std::fs::copy(out.join("onnx.rs"), onnx.join("proto.rs"))?;
    std::fs::remove_dir_all(&out)?;
    println!("wrote {}", onnx.join("proto.rs").display());
    Ok(())
}

fn tempdir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("onnx-codegen-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
