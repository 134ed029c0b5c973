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
  return mlp_infer(model.decoder, autoencoder_encode(model, images));
}

Eigen::VectorXf reconstruction_errors(const Autoencoder& model, const Eigen::Ref<const Eigen::MatrixXf>& inputs,
                                      const Eigen::Ref<const Eigen::MatrixXf>& targets) {
  const Eigen::Index n = inputs.cols(), d = inputs.rows();
  Eigen::VectorXf errors(n);
  // Chunks keep the intermediate activations small whatever N is.
  Eigen::MatrixXf codes, recon;
  for (Eigen::Index first = 0; first < n; first += kChunk) {
    const Eigen::Index size = std::min<Eigen::Index>(kChunk, n - first);
    codes.resize(model.latent(), size);
    recon.resize(d, size);
    autoencoder_encode(model, inputs.col(first).data(), static_cast<int>(size), codes.data());
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

StepLoss objective_on_data(const Autoencoder& model, const TrainConfig& config, const Dataset& data, uint64_t seed) {
  StepLoss total;
  if (data.size() == 0) return total;
  Rng eps_rng(seed, 8);
  for (int first = 0; first < data.size(); first += kChunk) {
    const int size = std::min(kChunk, data.size() - first);
    const StepLoss chunk = objective_evaluate(model, config, data.floats(first, size), eps_rng);
    total.loss += chunk.loss * size;
    total.reconstruction += chunk.reconstruction * size;
    total.kl += chunk.kl * size;
  }
  total.loss /= data.size();
  total.reconstruction /= data.size();
  total.kl /= data.size();
  return total;
}

Eigen::MatrixXf encode_images(const Autoencoder& model, const Dataset& data, int first, int count,
                              Eigen::MatrixXf* logvar) {
  if (count < 0) count = data.size() - first;
  const int latent = model.latent();
  Eigen::MatrixXf codes(latent, count);
  if (logvar) logvar->resize(latent, count);
  for (int done = 0; done < count; done += kChunk) {
    const int size = std::min(kChunk, count - done);
    const Eigen::MatrixXf x = data.floats(first + done, size);
    autoencoder_encode(model, x.data(), size, codes.col(done).data(), logvar ? logvar->col(done).data() : nullptr);
  }
  return codes;
}

}  // namespace lp
