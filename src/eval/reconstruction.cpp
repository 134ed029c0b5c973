#include "eval/reconstruction.h"

#include <algorithm>

#include "base/thread_pool.h"

namespace lp {
namespace {
// Images per chunk: 256 MNIST images are 0.8 MB of floats, and a thread's
// buffers for them about 3 MB; larger chunks are no faster.
constexpr int kChunk = 256;
}  // namespace

Eigen::MatrixXf reconstruct(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& images) {
  return mlp_infer(model.decoder, mlp_infer(model.encoder, images));
}

Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& inputs,
                                      const Eigen::Ref<const Eigen::MatrixXf>& targets) {
  const Eigen::Index n = inputs.cols(), d = inputs.rows();
  Eigen::VectorXf errors(n);
  // Chunks keep the intermediate activations small whatever N is.
  Eigen::MatrixXf codes, recon;
  for (Eigen::Index first = 0; first < n; first += kChunk) {
    const Eigen::Index size = std::min<Eigen::Index>(kChunk, n - first);
    codes.resize(model.encoder.out_size(), size);
    recon.resize(d, size);
    mlp_infer(model.encoder, inputs.col(first).data(), static_cast<int>(size), codes.data());
    mlp_infer(model.decoder, codes.data(), static_cast<int>(size), recon.data());
    errors.segment(first, size) =
        (recon - targets.middleCols(first, size)).colwise().squaredNorm().transpose() / static_cast<float>(d);
  }
  return errors;
}

double reconstruction_mse(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& images) {
  if (images.cols() == 0) return 0.0;
  return reconstruction_errors(model, images).cast<double>().mean();
}

Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Dataset& data, int threads) {
  Eigen::VectorXf errors(data.size());
  const int chunks = (data.size() + kChunk - 1) / kChunk;
  ThreadPool pool(std::max(1, std::min(threads, chunks)));
  pool.run([&](int part) {
    for (int chunk = part; chunk < chunks; chunk += pool.size()) {
      const int first = chunk * kChunk, size = std::min(kChunk, data.size() - first);
      errors.segment(first, size) = reconstruction_errors(model, data.floats(first, size));
    }
  });
  return errors;
}

double reconstruction_mse(const Autoencoder& model, const Dataset& data, int threads) {
  if (data.size() == 0) return 0.0;
  return reconstruction_errors(model, data, threads).cast<double>().mean();
}

Eigen::MatrixXf infer_images(const Mlp& net, const Dataset& data, int first, int count) {
  if (count < 0) count = data.size() - first;
  Eigen::MatrixXf out(net.out_size(), count);
  for (int done = 0; done < count; done += kChunk) {
    const int size = std::min(kChunk, count - done);
    const Eigen::MatrixXf x = data.floats(first + done, size);
    mlp_infer(net, x.data(), size, out.col(done).data());
  }
  return out;
}

}  // namespace lp
