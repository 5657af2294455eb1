//! kube-proxy's chain names: `KUBE-SVC-`, `KUBE-EXT-`, `KUBE-SEP-` followed by the first 16 characters
//! of the RFC 4648 base32 (standard alphabet) of the SHA-256 of the service port name and protocol
//! (and, for an endpoint, its `ip:port`). SHA-256 (FIPS 180-4) and base32 are implemented here: they
//! are a few dozen lines, and a chain name must never change with a dependency upgrade.

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// RFC 4648 base32 with the standard alphabet and `=` padding (Go's `base32.StdEncoding`).
pub fn base32(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(char::from(ALPHABET[((n >> (35 - i * 5)) & 31) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn chain(prefix: &str, input: &str) -> String {
    let encoded = base32(&sha256(input.as_bytes()));
    format!("{prefix}{}", encoded.get(..16).unwrap_or(&encoded))
}

/// `servicePortChainName`: `KUBE-SVC-<hash>` of `ns/svc:port` and the lower-case protocol.
pub fn service_chain(service_port_name: &str, protocol: &str) -> String {
    chain("KUBE-SVC-", &format!("{service_port_name}{}", protocol.to_lowercase()))
}

/// `externalTrafficChainName`: `KUBE-EXT-<hash>`, the same hash as the service chain.
pub fn external_chain(service_port_name: &str, protocol: &str) -> String {
    chain("KUBE-EXT-", &format!("{service_port_name}{}", protocol.to_lowercase()))
}

/// `servicePortEndpointChainName`: `KUBE-SEP-<hash>` of the port name, protocol and `ip:port`.
pub fn endpoint_chain(service_port_name: &str, protocol: &str, endpoint: &str) -> String {
    chain("KUBE-SEP-", &format!("{service_port_name}{}{endpoint}", protocol.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn sha256_and_base32_vectors() {
        assert_eq!(hex(&sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(&sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let long = vec![b'a'; 1000];
        assert_eq!(hex(&sha256(&long)), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
        assert_eq!(base32(b"f"), "MY======");
    }

    #[test]
    fn chain_names_match_real_clusters() {
        assert_eq!(service_chain("default/kubernetes:https", "TCP"), "KUBE-SVC-NPX46M4PTMTKRN6Y");
        assert_eq!(service_chain("kube-system/kube-dns:dns", "UDP"), "KUBE-SVC-TCOU7JCQXEZGVUNU");
        assert_eq!(service_chain("kube-system/kube-dns:dns-tcp", "TCP"), "KUBE-SVC-ERIFXISQEP7F7OF4");
        assert_eq!(service_chain("kube-system/kube-dns:metrics", "TCP"), "KUBE-SVC-JD5MR3NA4I4DYORP");
        assert!(endpoint_chain("default/web", "TCP", "10.244.1.2:80").starts_with("KUBE-SEP-"));
    }
}
