//! `millennium`, the author CLI. All logic lives in the library; `main` only
//! maps the outcome to an exit code (0 ok, 1 failure, 2 usage error).

fn main() -> std::process::ExitCode {
    millennium_packager::cli::main()
}
