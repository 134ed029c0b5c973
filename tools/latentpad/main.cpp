// latentpad: train, evaluate and inspect the tutorial's MNIST autoencoder.
#include <cstdio>

#include "cli_common.h"

int main(int argc, char** argv) {
  CLI::App app{"LatentPad: a 2-D latent-space autoencoder for MNIST (C++/Eigen)", "latentpad"};
  // Exactly one subcommand; without one, main() prints the help text.
  app.require_subcommand(0, 1);
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
  lp::cli::add_interpolate(app);
  lp::cli::add_import(app);
  lp::cli::add_export(app);
  // Exit status: 0 success, 1 a failure while working (a missing or corrupt
  // file, a run that diverged), 2 a wrong invocation.
  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty()) {
      std::fputs(app.help().c_str(), stderr);
      return 2;
    }
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "latentpad: error: %s\n", e.what());
    std::fprintf(stderr, "Run with --help for more information.\n");
    return 2;
  } catch (const lp::cli::UsageError& e) {
    std::fprintf(stderr, "latentpad: error: %s\n", e.what());
    return 2;
  } catch (const lp::cli::Error& e) {
    std::fprintf(stderr, "latentpad: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "latentpad: error: out of memory\n");
    return 1;
  }
  return 0;
}
