//! The `livret` binary: parse the command line, run, print errors, exit with their code.

fn main() {
    std::process::exit(livret::cli::main());
}
