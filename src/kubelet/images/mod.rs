//! The built-in image catalog: which images "exist in the registry", with their tags, sizes, default
//! entrypoint and command, ports, start-up log lines and how their main process behaves. Nothing runs a
//! real image; the runtime reads this table to decide what a container does. Also owns image
//! references: normalising `nginx` to `docker.io/library/nginx:latest` as containerd does, and the
//! digest each image carries.

/// Simulated registry bandwidth: 25 MB/s (about 200 Mbit/s), plus a fixed round trip per pull to
/// resolve the manifest. An nginx pull takes about 3.4 s, a mysql pull about 25 s, as on a typical
/// home or cloud link.
pub const PULL_BYTES_PER_SEC: u64 = 25_000_000;
/// Manifest resolution and layer set-up per pull.
pub const PULL_OVERHEAD_MS: u64 = 500;

/// How an image's main process behaves when it runs its own default command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Listens and serves until stopped; exits 0 shortly after SIGTERM.
    Server,
    /// Runs its command through the tiny shell (busybox, alpine, ubuntu, ...).
    Command,
}

/// What an image's server answers over HTTP (the network asks it when a request arrives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Http {
    /// Not an HTTP server (or no server at all).
    None,
    /// nginx's default `index.html`.
    NginxWelcome,
    /// Apache httpd's `It works!`.
    ItWorks,
    /// traefik/whoami: its hostname, addresses and the request as received.
    Whoami,
    /// hashicorp/http-echo: the text of its `-text` argument.
    Echo,
    /// Tomcat without webapps: its 404 page.
    TomcatNotFound,
    /// The Kubernetes Basics app: a greeting naming the pod and the app's version (its image tag).
    Bootcamp,
    /// The HPA walkthrough's php-apache page: `OK!` after a CPU-heavy loop.
    PhpOk,
}

/// One repository of the catalog.
#[derive(Debug, Clone)]
pub struct ImageSpec {
    /// Fully qualified repository, e.g. `docker.io/library/nginx`.
    pub repository: &'static str,
    /// Tags with their compressed size in bytes (what containerd reports as the image size).
    pub tags: &'static [(&'static str, u64)],
    pub entrypoint: &'static [&'static str],
    pub cmd: &'static [&'static str],
    /// Binaries that start the image's server (the command is the image's own service).
    pub server_binaries: &'static [&'static str],
    pub behaviour: Behaviour,
    pub http: Http,
    pub ports: &'static [u16],
    /// Lines the server writes at start (`{hostname}` is replaced with the pod name).
    pub log_lines: &'static [&'static str],
    /// Environment variables of which at least one must be set, else the entrypoint fails.
    pub required_env: &'static [&'static str],
    /// What it prints before exiting 1 when none of `required_env` is set.
    pub missing_env_lines: &'static [&'static str],
    /// Typical use at rest: millicores and bytes (for `kubectl top`).
    pub cpu_millis: u64,
    pub memory_bytes: u64,
}

const WRAPPERS: &[&str] =
    &["/docker-entrypoint.sh", "docker-entrypoint.sh", "/usr/local/bin/docker-entrypoint.sh", "/entrypoint.sh"];

/// Whether `arg` is a docker-library entrypoint script that runs its arguments.
pub fn is_wrapper(arg: &str) -> bool {
    WRAPPERS.contains(&arg)
}

mod catalog;

use catalog::CATALOG;

/// An image reference as containerd normalises it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImageRef {
    /// `docker.io/library/nginx`
    pub repository: String,
    /// `latest` when none was given; empty for a digest-only reference.
    pub tag: String,
    /// `sha256:...` when the reference pinned one.
    pub digest: Option<String>,
}

/// Why a reference cannot be used at all (the kubelet's `InvalidImageName`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRefError {
    Empty,
    Invalid(String),
}

impl std::fmt::Display for ImageRefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageRefError::Empty => f.write_str("image reference is empty"),
            ImageRefError::Invalid(r) => {
                write!(
                    f,
                    "Failed to apply default image tag \"{r}\": couldn't parse image name \"{r}\": invalid reference format"
                )
            }
        }
    }
}

impl ImageRef {
    /// Parses `nginx`, `nginx:1.27`, `traefik/whoami`, `registry.k8s.io/pause:3.10`, `x@sha256:...`.
    pub fn parse(image: &str) -> Result<ImageRef, ImageRefError> {
        let image = image.trim();
        if image.is_empty() {
            return Err(ImageRefError::Empty);
        }
        let valid = image.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/:@".contains(c));
        if !valid || image.starts_with(['/', ':', '@']) || image.ends_with(['/', ':', '@']) || image.contains("//") {
            return Err(ImageRefError::Invalid(image.to_string()));
        }
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (image, None),
        };
        let (path, tag) = match name.rsplit_once(':') {
            Some((p, t)) if !t.contains('/') => (p, t.to_string()),
            _ => (name, if digest.is_some() { String::new() } else { "latest".to_string() }),
        };
        let first = path.split('/').next().unwrap_or(path);
        let has_registry = path.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
        let repository = if has_registry {
            path.to_string()
        } else if path.contains('/') {
            format!("docker.io/{path}")
        } else {
            format!("docker.io/library/{path}")
        };
        Ok(ImageRef { repository, tag, digest })
    }

    /// `docker.io/library/nginx:latest` (or `...@sha256:...`).
    pub fn full(&self) -> String {
        match (&self.digest, self.tag.is_empty()) {
            (Some(d), true) => format!("{}@{d}", self.repository),
            (Some(d), false) => format!("{}:{}@{d}", self.repository, self.tag),
            (None, _) => format!("{}:{}", self.repository, self.tag),
        }
    }
}

/// A catalog entry resolved to one tag.
#[derive(Debug, Clone)]
pub struct ResolvedImage {
    pub spec: &'static ImageSpec,
    pub reference: ImageRef,
    pub size: u64,
    /// `sha256:<64 hex>`, stable per repository and tag.
    pub digest: String,
}

impl ResolvedImage {
    /// `docker.io/library/nginx:latest`
    pub fn tagged(&self) -> String {
        format!("{}:{}", self.reference.repository, self.reference.tag)
    }

    /// `docker.io/library/nginx@sha256:...`, the containerStatus imageID.
    pub fn image_id(&self) -> String {
        format!("{}@{}", self.reference.repository, self.digest)
    }

    /// How long the pull itself takes.
    pub fn pull_millis(&self) -> u64 {
        PULL_OVERHEAD_MS + self.size.saturating_mul(1000) / PULL_BYTES_PER_SEC
    }
}

/// A deterministic sha256-shaped digest for `name` (a stand-in: the catalog has no real layers).
pub fn digest_of(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for _ in 0..4 {
        h ^= h >> 31;
        h = h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 29;
        out.push_str(&format!("{h:016x}"));
    }
    out
}

/// An image a scenario adds to the registry: its own repository, tag and size, running like one of the
/// built-in images (a teacher's `shop/web:1.0` that serves like nginx), so pulls, sizes, digests and
/// ImageLocality see the new name while the container behaves as the model image does.
#[derive(Debug, Clone)]
pub struct ImageAddition {
    pub reference: ImageRef,
    pub size: u64,
    pub like: &'static ImageSpec,
}

/// Why an image addition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdditionError {
    InvalidReference(String, ImageRefError),
    UnknownModel(String),
    TooLarge(u64),
}

impl std::fmt::Display for AdditionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdditionError::InvalidReference(r, e) => write!(f, "invalid image reference \"{r}\": {e}"),
            AdditionError::UnknownModel(m) => write!(f, "image \"{m}\" to behave like is not in the catalog"),
            AdditionError::TooLarge(s) => write!(f, "image size {s} is over the 20 GB a registry layer set can hold"),
        }
    }
}

/// The largest image a scenario may add (pull times stay within minutes of virtual time).
const MAX_ADDED_SIZE: u64 = 20_000_000_000;

impl ImageAddition {
    /// `image` (as a pod spec names it) of `size` bytes, behaving like the catalog's `like`.
    pub fn new(image: &str, size: u64, like: &str) -> Result<Self, AdditionError> {
        let reference = ImageRef::parse(image).map_err(|e| AdditionError::InvalidReference(image.to_string(), e))?;
        let model = ImageRef::parse(like).map_err(|e| AdditionError::InvalidReference(like.to_string(), e))?;
        let like = CATALOG
            .iter()
            .find(|s| s.repository == model.repository)
            .ok_or_else(|| AdditionError::UnknownModel(like.to_string()))?;
        if size > MAX_ADDED_SIZE {
            return Err(AdditionError::TooLarge(size));
        }
        Ok(ImageAddition { reference, size, like })
    }
}

/// The registry: the built-in catalog and the images a scenario added. Cloning shares the additions.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    additions: std::sync::Arc<[ImageAddition]>,
}

/// Why a pull fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullError {
    NotFound(String),
}

impl std::fmt::Display for PullError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PullError::NotFound(r) => write!(
                f,
                "rpc error: code = NotFound desc = failed to pull and unpack image \"{r}\": failed to resolve reference \"{r}\": {r}: not found"
            ),
        }
    }
}

impl Catalog {
    /// The built-in catalog plus `additions` (a later addition of the same name and tag wins).
    pub fn with_additions(additions: Vec<ImageAddition>) -> Self {
        Catalog { additions: additions.into() }
    }

    /// What the registry would serve for `reference`.
    pub fn resolve(&self, reference: &ImageRef) -> Result<ResolvedImage, PullError> {
        let missing = || PullError::NotFound(reference.full());
        if let Some(added) = self.additions.iter().rev().find(|a| {
            a.reference.repository == reference.repository
                && (reference.tag.is_empty() || a.reference.tag == reference.tag)
        }) {
            let tagged = format!("{}:{}", added.reference.repository, added.reference.tag);
            let digest = reference.digest.clone().unwrap_or_else(|| digest_of(&tagged));
            let reference = ImageRef { digest: None, ..added.reference.clone() };
            return Ok(ResolvedImage { spec: added.like, reference, size: added.size, digest });
        }
        let spec = CATALOG.iter().find(|s| s.repository == reference.repository).ok_or_else(missing)?;
        let (tag, size) = if reference.tag.is_empty() {
            spec.tags.first().copied().ok_or_else(missing)?
        } else {
            spec.tags.iter().find(|(t, _)| *t == reference.tag).copied().ok_or_else(missing)?
        };
        let digest = reference.digest.clone().unwrap_or_else(|| digest_of(&format!("{}:{tag}", spec.repository)));
        let reference = ImageRef { repository: reference.repository.clone(), tag: tag.to_string(), digest: None };
        Ok(ResolvedImage { spec, reference, size, digest })
    }

    /// Repositories and tags, for the terminal's hint about which images exist.
    pub fn names(&self) -> Vec<String> {
        CATALOG
            .iter()
            .flat_map(|s| s.tags.iter().map(move |(t, _)| format!("{}:{t}", s.repository)))
            .chain(self.additions.iter().map(|a| format!("{}:{}", a.reference.repository, a.reference.tag)))
            .map(|n| n.replace("docker.io/library/", "").replace("docker.io/", ""))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise_like_containerd() {
        let r = ImageRef::parse("nginx").unwrap();
        assert_eq!(r.full(), "docker.io/library/nginx:latest");
        assert_eq!(ImageRef::parse("traefik/whoami:v1.11").unwrap().full(), "docker.io/traefik/whoami:v1.11");
        assert_eq!(ImageRef::parse("registry.k8s.io/pause:3.10").unwrap().full(), "registry.k8s.io/pause:3.10");
        assert_eq!(ImageRef::parse("localhost:5000/app").unwrap().full(), "localhost:5000/app:latest");
        assert!(ImageRef::parse("Nginx").is_err());
        assert!(ImageRef::parse("").is_err());
        assert!(ImageRef::parse("a//b").is_err());
    }

    #[test]
    fn resolves_catalog_and_misses_like_a_registry() {
        let c = Catalog::default();
        let nginx = c.resolve(&ImageRef::parse("nginx:1.27").unwrap()).unwrap();
        assert_eq!(nginx.tagged(), "docker.io/library/nginx:1.27");
        assert!(nginx.image_id().starts_with("docker.io/library/nginx@sha256:"));
        assert_eq!(nginx.digest.len(), 71);
        assert!((3000..4000).contains(&nginx.pull_millis()));
        let miss = c.resolve(&ImageRef::parse("tomcat8").unwrap()).unwrap_err();
        assert_eq!(
            miss.to_string(),
            "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/tomcat8:latest\": failed to resolve reference \"docker.io/library/tomcat8:latest\": docker.io/library/tomcat8:latest: not found"
        );
        assert!(c.resolve(&ImageRef::parse("nginx:0.0.1").unwrap()).is_err());
    }
}
