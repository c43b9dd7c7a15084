//! Reading a child's output: all of it up to a cap (`execute`), or line by
//! line (`spawn`).

use std::io::{self, BufRead, BufReader, Read};

/// Reads `pipe` to its end; `Ok(None)` when it held more than `cap` bytes,
/// in which case `kill` has been called and the rest is left unread.
pub(super) fn read_capped<R: Read, T>(
    pipe: Option<R>,
    cap: usize,
    kill: impl FnOnce() -> T,
) -> io::Result<Option<Vec<u8>>> {
    let Some(pipe) = pipe else {
        return Ok(Some(Vec::new()));
    };
    let mut bytes = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    pipe.take(limit).read_to_end(&mut bytes)?;
    if bytes.len() > cap {
        kill();
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// Calls `emit` with each line of `pipe`, without its `\n` or `\r\n`,
/// decoded lossily; a line longer than `max_line` bytes is cut into pieces.
/// A last line without a newline is emitted too.
pub(super) fn for_each_line(pipe: impl Read, max_line: usize, mut emit: impl FnMut(String)) -> io::Result<()> {
    let finish = |line: &mut Vec<u8>| {
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let text = String::from_utf8_lossy(line).into_owned();
        line.clear();
        text
    };
    let max_line = max_line.max(1);
    let mut reader = BufReader::new(pipe);
    let mut line = Vec::new();
    // After a cut, a newline right away ends the piece already emitted.
    let mut just_cut = false;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if buffer.is_empty() {
            if !line.is_empty() {
                emit(finish(&mut line));
            }
            return Ok(());
        }
        if just_cut && buffer[0] == b'\n' {
            reader.consume(1);
            just_cut = false;
            continue;
        }
        just_cut = false;
        let window = &buffer[..buffer.len().min(max_line - line.len())];
        match window.iter().position(|&byte| byte == b'\n') {
            Some(end) => {
                line.extend_from_slice(&window[..end]);
                reader.consume(end + 1);
                emit(finish(&mut line));
            }
            None => {
                let taken = window.len();
                line.extend_from_slice(window);
                reader.consume(taken);
                if line.len() >= max_line {
                    emit(finish(&mut line));
                    just_cut = true;
                }
            }
        }
    }
}

