// The variational autoencoder: its pieces on values worked out by hand, and
// train_step's VAE gradient against finite differences of a double-precision
// copy of the whole objective (reparameterisation, KL, BCE or MSE).
#include "nn/vae.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "gradcheck.h"
#include "nn/loss.h"
#include "nn/train_step.h"

using namespace lp;

TEST_CASE("a VAE's encoder ends in linear mu and logvar heads of twice the code width", "[vae]") {
  Rng rng(0);
  AutoencoderSpec spec{784, {400}, 20, ModelKind::vae, Activation::relu};
  const Autoencoder model = autoencoder_create(spec, rng);
  CHECK(model.is_vae());
  CHECK(model.latent() == 20);
  CHECK(model.encoder.spec().sizes == std::vector<int>{784, 400, 40});
  CHECK(model.encoder.spec().acts == std::vector<Activation>{Activation::relu, Activation::identity});
  CHECK(model.decoder.spec().sizes == std::vector<int>{20, 400, 784});
  CHECK(model.decoder.spec().acts == std::vector<Activation>{Activation::relu, Activation::sigmoid});
  // pytorch/examples' VAE: fc1, fc21, fc22, fc3, fc4.
  CHECK(model.parameter_count() == (784 * 400 + 400) + 2 * (400 * 20 + 20) + (20 * 400 + 400) + (400 * 784 + 784));
  CHECK(autoencoder_check(model).empty());
}

TEST_CASE("autoencoder_check names what is wrong with a VAE's heads", "[vae]") {
  Rng rng(1);
  Autoencoder model = autoencoder_create({10, {6}, 2, ModelKind::vae}, rng);
  model.encoder.layers.back().act = Activation::tanh;
  CHECK_THAT(autoencoder_check(model), Catch::Contains("heads must be linear, not tanh"));
  model = autoencoder_create({10, {6}, 2, ModelKind::vae}, rng);
  model.decoder = autoencoder_create({10, {6}, 4}, rng).decoder;
  CHECK_THAT(autoencoder_check(model), Catch::Contains("decoder input width 4 does not match encoder code width 2"));
}

TEST_CASE("autoencoder_encode gives a VAE's mu, and its logvar apart", "[vae]") {
  Rng rng(2);
  const Autoencoder model = autoencoder_create({12, {8}, 3, ModelKind::vae}, rng);
  const Eigen::MatrixXf x = test::random_matrix(12, 5, 7).cwiseAbs();
  const Eigen::MatrixXf heads = mlp_infer(model.encoder, x);  // [6, 5]
  Eigen::MatrixXf mu(3, 5), logvar(3, 5);
  autoencoder_encode(model, x.data(), 5, mu.data(), logvar.data());
  CHECK(mu == heads.topRows(3));
  CHECK(logvar == heads.bottomRows(3));
  CHECK(autoencoder_encode(model, x) == heads.topRows(3));
}

TEST_CASE("the reparameterisation is mu + exp(logvar / 2) eps", "[vae]") {
  Eigen::MatrixXf heads(4, 2), eps(2, 2), z;
  heads << 1, -1,    // mu, dimension 0
           0.5, 2,   // mu, dimension 1
           0, 2,     // logvar, dimension 0: sigma 1, e
           -2, 0.4;  // logvar, dimension 1: sigma 1/e, exp(0.2)
  eps << 2, 3,
         -1, 0.5;
  vae_reparameterise(heads, eps, z);
  CHECK(z(0, 0) == Approx(1 + 1 * 2));
  CHECK(z(0, 1) == Approx(-1 + std::exp(1.0) * 3));
  CHECK(z(1, 0) == Approx(0.5 + std::exp(-1.0) * -1));
  CHECK(z(1, 1) == Approx(2 + std::exp(0.2) * 0.5));
}

TEST_CASE("the KL term against N(0, I) is zero at the prior and matches the closed form", "[vae]") {
  Eigen::MatrixXf prior = Eigen::MatrixXf::Zero(6, 4);  // mu 0, logvar 0
  CHECK(vae_kl_sum(prior) == 0.0);
  Eigen::MatrixXf heads(2, 1);
  heads << 2, std::log(0.25f);  // mu 2, sigma^2 0.25
  // -1/2 (1 + ln 0.25 - 4 - 0.25) = 1.625 + ln 2
  CHECK(vae_kl_sum(heads) == Approx(1.625 + std::log(2.0)).epsilon(1e-6));
  heads << 0, 200;  // exp(200) overflows float: the divergence rule must see it
  CHECK(std::isinf(vae_kl_sum(heads)));
}

TEST_CASE("binary cross-entropy matches its definition and clamps the log at -100 like PyTorch", "[vae][loss]") {
  Eigen::MatrixXf p(2, 1), t(2, 1);
  p << 0.8f, 0.3f;
  t << 1.0f, 0.25f;
  const double expected = -std::log(0.8) - (0.25 * std::log(0.3) + 0.75 * std::log(0.7));
  CHECK(bce_sum(p, t) == Approx(expected).epsilon(1e-6));
  p << 1.0f, 0.0f;  // saturated and wrong: each element costs 100, not infinity
  t << 0.0f, 1.0f;
  CHECK(bce_sum(p, t) == Approx(200.0));
  Eigen::MatrixXf g;
  bce_logit_backward(p, t, 4.0, g);  // through the logit: (p - t) / count
  CHECK(g(0, 0) == Approx(0.25));
  CHECK(g(1, 0) == Approx(-0.25));
}

namespace {

// The VAE's whole training objective in double precision, for exact finite
// differences: (R(decoder(mu + sigma eps), x) + beta KL) / B.
struct DoubleVae {
  test::DoubleChain encoder, decoder;
  Eigen::MatrixXd x, eps;
  ReconLoss loss;
  double beta;

  double objective() const {
    const Eigen::MatrixXd heads = encoder.forward(x);
    const Eigen::Index latent = eps.rows();
    const Eigen::ArrayXXd mu = heads.topRows(latent).array(), logvar = heads.bottomRows(latent).array();
    const Eigen::MatrixXd z = (mu + (0.5 * logvar).exp() * eps.array()).matrix();
    const Eigen::ArrayXXd p = decoder.forward(z).array(), t = x.array();
    const double recon = loss == ReconLoss::bce ? -(t * p.log() + (1 - t) * (1 - p).log()).sum()
                                                : (p - t).square().sum();
    const double kl = -0.5 * (1 + logvar - mu.square() - logvar.exp()).sum();
    return (recon + beta * kl) / static_cast<double>(x.cols());
  }
};

// train_step's gradient (lr 0: the weights stay put) for every tensor of a
// small VAE, against finite differences of DoubleVae with the same eps.
void check_vae_gradient(ReconLoss loss, double beta, int threads) {
  TrainConfig config;
  config.loss = loss;
  config.beta = beta;
  TrainState state = train_state_create({12, {8, 5}, 3, ModelKind::vae}, config);
  // Logvar away from 0 and mu away from the origin, so every term of the
  // heads' gradient is large enough to check.
  state.model.encoder.layers.back().bias.setLinSpaced(6, -0.8f, 0.9f);
  const Eigen::MatrixXf x = test::random_matrix(12, 5, 21).cwiseAbs();
  const Eigen::MatrixXf eps = test::random_matrix(3, 5, 22) * 1.5f;
  StepWorkspace workspace(threads);
  StepRandom random;
  random.eps = &eps;
  const StepLoss step = train_step(state, config, x, 0.0, random, workspace);

  DoubleVae vae{test::DoubleChain::of(state.model.encoder), test::DoubleChain::of(state.model.decoder),
                x.cast<double>(), eps.cast<double>(), loss, beta};
  REQUIRE(step.loss == Approx(vae.objective()).epsilon(1e-5));  // the copy is the same objective
  AutoencoderGrad g = workspace.grad();
  int checked = 0;
  for_each_layer(state.model, [&](LayerRef ref, const Dense&) {
    INFO((ref.net == 0 ? "encoder" : "decoder") << " layer " << ref.index);
    test::DoubleChain& chain = ref.net == 0 ? vae.encoder : vae.decoder;
    auto& layer = chain.layers[ref.index];
    const DenseGrad& analytic = layer_grad(g, ref);
    auto objective = [&] { return vae.objective(); };
    test::gradcheck(layer.weight.data(), analytic.weight.data(), static_cast<int>(layer.weight.size()), objective,
                    1e-6, 1e-4);
    test::gradcheck(layer.bias.data(), analytic.bias.data(), static_cast<int>(layer.bias.size()), objective, 1e-6,
                    1e-4);
    checked += 2;
  });
  CHECK(checked == 12);
}

}  // namespace

TEST_CASE("train_step's VAE gradient (BCE + KL) matches finite differences", "[vae][gradcheck][train_step]") {
  check_vae_gradient(ReconLoss::bce, 1.0, 1);
}

TEST_CASE("train_step's VAE gradient (MSE + 0.3 KL) matches finite differences", "[vae][gradcheck][train_step]") {
  check_vae_gradient(ReconLoss::mse, 0.3, 1);
}

TEST_CASE("train_step's VAE gradient on two threads matches finite differences",
          "[vae][gradcheck][train_step][threads]") {
  check_vae_gradient(ReconLoss::bce, 1.0, 2);
}

TEST_CASE("a VAE step's eps does not depend on the thread count", "[vae][train_step][threads]") {
  TrainConfig config;
  config.loss = ReconLoss::bce;
  const Eigen::MatrixXf x = test::random_matrix(12, 9, 31).cwiseAbs();
  StepRandom random;
  random.eps_seed = 77;
  TrainState one = train_state_create({12, {8}, 2, ModelKind::vae}, config), two = one;
  StepWorkspace w1(1), w2(2);
  const StepLoss a = train_step(one, config, x, 1e-3, random, w1);
  const StepLoss b = train_step(two, config, x, 1e-3, random, w2);
  // Shard sums reassociate, so equal to rounding, not bit for bit; a
  // different eps per shard would move the KL term by far more.
  CHECK(a.kl == Approx(b.kl).epsilon(1e-6));
  CHECK(a.reconstruction == Approx(b.reconstruction).epsilon(1e-6));
  random.eps_seed = 78;
  TrainState three = train_state_create({12, {8}, 2, ModelKind::vae}, config);
  const StepLoss c = train_step(three, config, x, 1e-3, random, w1);
  CHECK(std::fabs(c.loss - a.loss) > 1e-4);  // another seed, other eps
}

TEST_CASE("binary cross-entropy needs a sigmoid output and beta must be finite and >= 0", "[vae][train_step]") {
  TrainConfig config;
  Rng rng(3);
  Autoencoder model = autoencoder_create({10, {6}, 2, ModelKind::vae}, rng);
  CHECK(train_config_check(model, config).empty());
  config.loss = ReconLoss::bce;
  CHECK(train_config_check(model, config).empty());
  model.decoder.layers.back().act = Activation::relu;
  CHECK_THAT(train_config_check(model, config), Catch::Contains("needs a sigmoid output") && Catch::Contains("relu"));
  config.loss = ReconLoss::mse;
  config.beta = -0.5;
  CHECK_THAT(train_config_check(model, config), Catch::Contains("beta must be"));
  config.beta = std::nan("");
  CHECK_THAT(train_config_check(model, config), Catch::Contains("beta must be"));
}

TEST_CASE("a step whose logvar overflows is refused and leaves the state as it was", "[vae][train_step]") {
  TrainConfig config;
  TrainState state = train_state_create({12, {8}, 2, ModelKind::vae}, config);
  state.model.encoder.layers.back().bias.tail(2).setConstant(200.0f);  // exp(200) = inf in float
  const TrainState before = state;
  StepWorkspace workspace(1);
  StepRandom random;
  random.eps_seed = 1;
  const StepLoss loss = train_step(state, config, test::random_matrix(12, 4, 41).cwiseAbs(), 1e-3, random, workspace);
  CHECK_FALSE(std::isfinite(loss.loss));
  CHECK(state.adam.step == 0);
  CHECK(state.model.encoder.layers[0].weight == before.model.encoder.layers[0].weight);
}
