// latentpad: train, evaluate and inspect the tutorial's MNIST autoencoder.
#include <cstdio>

#include "cli_common.h"

int main(int argc, char** argv) {
  CLI::App app{"LatentPad: a 2-D latent-space autoencoder for MNIST (C++/Eigen)", "latentpad"};
  app.require_subcommand(1);
  app.set_version_flag("--version", LATENTPAD_VERSION);
  lp::cli::add_train(app);
  lp::cli::add_eval(app);
  lp::cli::add_info(app);
  lp::cli::add_decode(app);
  lp::cli::add_encode(app);
  lp::cli::add_site_data(app);
  lp::cli::add_reconstruct(app);
  lp::cli::add_embed(app);
  lp::cli::add_generate(app);
  lp::cli::add_plot_loss(app);
  lp::cli::add_denoise(app);
  lp::cli::add_finetune(app);
  lp::cli::add_probe(app);
  lp::cli::add_anomaly(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const lp::cli::Error& e) {
    std::fprintf(stderr, "latentpad: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "latentpad: error: out of memory\n");
    return 1;
  }
  return 0;
}
