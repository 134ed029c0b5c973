# The unit tests that run in both builds: natively (tests/CMakeLists.txt) and
# compiled to wasm under Node (web/CMakeLists.txt). The rest need files on disk
# or figures (io/, plot/), the PyTorch fixture, or Debian's libonnx (interop/onnx_export_test.cpp).
set(LATENTPAD_PORTABLE_TESTS
  base/rng_test.cpp base/thread_pool_test.cpp
  kernels/activation_test.cpp kernels/dense_kernel_test.cpp
  data/drawing_test.cpp data/noise_test.cpp
  nn/adam_test.cpp nn/autoencoder_test.cpp nn/dense_test.cpp nn/loss_test.cpp nn/lr_schedule_test.cpp
  nn/mlp_test.cpp nn/trainer_test.cpp nn/vae_test.cpp
  formats/checkpoint_test.cpp formats/checksum_test.cpp formats/code_text_test.cpp formats/half_test.cpp
  formats/idx_test.cpp formats/model_file_test.cpp
  eval/classifier_test.cpp eval/interpolation_test.cpp eval/metrics_test.cpp
  interop/model_import_test.cpp interop/pickle_test.cpp interop/safetensors_test.cpp interop/torch_file_test.cpp
  interop/zip_archive_test.cpp)
