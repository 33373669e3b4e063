//! A chat room as a Tencent WebSocket API: three functions (`chat-register`,
//! `chat-transmit`, `chat-cleanup`, one binary each, as they deploy as three
//! SCF functions) and a client (`chat-client`). Run it behind the local
//! gateway with `cargo run -p cargo-apigw -- serve --config examples/chat/apigw.toml`
//! and talk to it with `cargo run -p chat --bin chat-client -- ws://127.0.0.1:3000/chat`.
//!
//! The functions share the room through a directory (`CHAT_STORE`, default
//! `chat-room` in the temporary directory): one empty file per connection,
//! made by the registration function and removed by the cleanup function.

use std::path::PathBuf;

/// The room: a directory with one file per connection in it.
#[derive(Clone, Debug)]
pub struct Room {
    dir: PathBuf,
}

impl Room {
    /// The room in `CHAT_STORE`, or `chat-room` in the temporary directory.
    pub fn from_env() -> Self {
        let dir = std::env::var_os("CHAT_STORE");
        Room::at(dir.map_or_else(|| std::env::temp_dir().join("chat-room"), PathBuf::from))
    }

    /// The room in `dir`.
    pub fn at(dir: PathBuf) -> Self {
        Room { dir }
    }

    /// The file that stands for connection `id` (its base64 made safe for a
    /// file name).
    pub fn member(&self, id: &str) -> PathBuf {
        self.dir.join(id.replace('/', "_").replace('+', "-"))
    }

    /// The connections in the room.
    pub fn members(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        dir.filter_map(|e| e.ok()?.file_name().into_string().ok())
            .map(|name| name.replace('_', "/").replace('-', "+"))
            .collect()
    }

    /// Adds connection `id`.
    pub fn join(&self, id: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        std::fs::write(self.member(id), b"")
    }

    /// Takes connection `id` out (nothing if it was not in).
    pub fn leave(&self, id: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.member(id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Room;

    #[test]
    fn ids_with_every_base64_character_come_back_as_they_went_in() {
        let dir = std::env::temp_dir().join(format!("chat-room-test-{}", std::process::id()));
        let room = Room::at(dir.clone());
        room.join("a+b/c==").unwrap();
        assert_eq!(room.members(), ["a+b/c=="]);
        room.leave("a+b/c==").unwrap();
        room.leave("a+b/c==").unwrap();
        assert!(room.members().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
