//! The `livret` binary: parse the command line, run, print errors, exit with their code.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
