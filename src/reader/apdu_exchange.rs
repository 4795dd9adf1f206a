//! One command/response exchange at the transport level: ISO 7816-4 5.3.4 procedure bytes
//! that a T=0 path (or a careless card) can leave to the terminal.
//!
//! - `61 XX`: more data is waiting; fetch it with GET RESPONSE (`00 C0 00 00 XX`) and join it.
//! - `6C XX`: wrong Le; send the same command again with Le = `XX`.
//!
//! EMV Book 1 9.3.1 asks the terminal's transport layer to do this, so the kernel always sees
//! the full response with its final status word.

/// At most this many GET RESPONSE rounds for one command (a misbehaving card cannot keep
/// the terminal in a loop).
pub const MAX_GET_RESPONSE: usize = 32;

/// Sends `command` with `send` and resolves `61xx` / `6Cxx`, returning the joined data and
/// the final status word.
pub fn transceive<E>(
    command: &[u8],
    mut send: impl FnMut(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, E> {
    let mut response = send(command)?;
    if let [0x6C, le] = response[..] {
        response = send(&with_le(command, le))?;
    }
    let mut data: Vec<u8> = Vec::new();
    for _ in 0..MAX_GET_RESPONSE {
        match response[..] {
            [ref body @ .., 0x61, left] => {
                data.extend_from_slice(body);
                response = send(&[0x00, 0xC0, 0x00, 0x00, left])?;
            }
            _ => break,
        }
    }
    if data.is_empty() {
        return Ok(response);
    }
    data.extend_from_slice(&response);
    Ok(data)
}

/// The same command with its Le set to `le` (ISO 7816-4 cases 1–4, short form).
pub fn with_le(command: &[u8], le: u8) -> Vec<u8> {
    let mut out = command.to_vec();
    match command.len() {
        0..=3 => {}
        4 => out.push(le),
        5 => {
            if let Some(last) = out.last_mut() {
                *last = le;
            }
        }
        n => {
            let lc = command.get(4).copied().unwrap_or(0) as usize;
            if n == 5 + lc {
                out.push(le);
            } else if let Some(last) = out.last_mut() {
                *last = le;
            }
        }
    }
    out
}

/// One raw PC/SC transmit, copying the answer out of the receive buffer.
pub fn transmit_raw(card: &pcsc::Card, command: &[u8]) -> Result<Vec<u8>, pcsc::Error> {
    let mut buffer = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
    card.transmit(command, &mut buffer).map(<[u8]>::to_vec)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers from a script, then fails.
    fn scripted(answers: &[&[u8]]) -> impl FnMut(&[u8]) -> Result<Vec<u8>, ()> {
        let mut next = answers
            .iter()
            .map(|a| a.to_vec())
            .collect::<Vec<_>>()
            .into_iter();
        move |_: &[u8]| next.next().ok_or(())
    }

    #[test]
    fn joins_get_response_chunks() {
        let mut sent = Vec::new();
        let mut answers = vec![
            vec![0x61, 0x03],
            vec![0xAA, 0xBB, 0x61, 0x02],
            vec![0xCC, 0xDD, 0x90, 0x00],
        ]
        .into_iter();
        let got = transceive(&[0x00, 0xA4, 0x04, 0x00, 0x01, 0x32, 0x00], |c| {
            sent.push(c.to_vec());
            answers.next().ok_or(())
        })
        .unwrap();
        assert_eq!(got, vec![0xAA, 0xBB, 0xCC, 0xDD, 0x90, 0x00]);
        assert_eq!(sent[1], vec![0x00, 0xC0, 0x00, 0x00, 0x03]);
        assert_eq!(sent[2], vec![0x00, 0xC0, 0x00, 0x00, 0x02]);
    }

    #[test]
    fn resends_with_the_length_the_card_asked_for() {
        let mut sent = Vec::new();
        let mut answers = vec![vec![0x6C, 0x10], vec![0x01, 0x02, 0x90, 0x00]].into_iter();
        let got = transceive(&[0x00, 0xB2, 0x01, 0x0C, 0x00], |c| {
            sent.push(c.to_vec());
            answers.next().ok_or(())
        })
        .unwrap();
        assert_eq!(got, vec![0x01, 0x02, 0x90, 0x00]);
        assert_eq!(sent[1], vec![0x00, 0xB2, 0x01, 0x0C, 0x10]);
    }

    #[test]
    fn plain_answers_pass_through_and_errors_propagate() {
        let send = scripted(&[&[0x6A, 0x82]]);
        assert_eq!(
            transceive(&[0x00, 0xA4, 0x04, 0x00], send),
            Ok(vec![0x6A, 0x82])
        );
        let send = scripted(&[&[0x61, 0x05]]);
        assert_eq!(transceive(&[0x00, 0xA4, 0x04, 0x00], send), Err(()));
    }

    #[test]
    fn a_card_that_never_stops_asking_is_cut_off() {
        let mut rounds = 0;
        let got = transceive(&[0x80, 0xCA, 0x9F, 0x17, 0x00], |_| {
            rounds += 1;
            Ok::<_, ()>(vec![0x61, 0x01])
        })
        .unwrap();
        assert_eq!(rounds, 1 + MAX_GET_RESPONSE);
        assert_eq!(got.last(), Some(&0x01));
    }

    #[test]
    fn le_lands_where_each_case_puts_it() {
        assert_eq!(
            with_le(&[0, 0xB2, 1, 0x0C], 0x20),
            vec![0, 0xB2, 1, 0x0C, 0x20]
        );
        assert_eq!(
            with_le(&[0, 0xB2, 1, 0x0C, 0], 0x20),
            vec![0, 0xB2, 1, 0x0C, 0x20]
        );
        assert_eq!(
            with_le(&[0, 0xA4, 4, 0, 2, 0xA0, 0x00], 0x30),
            vec![0, 0xA4, 4, 0, 2, 0xA0, 0x00, 0x30]
        );
        assert_eq!(
            with_le(&[0, 0xA4, 4, 0, 2, 0xA0, 0x00, 0x00], 0x30),
            vec![0, 0xA4, 4, 0, 2, 0xA0, 0x00, 0x30]
        );
        assert_eq!(with_le(&[0xFF], 1), vec![0xFF]);
    }
}
