//! `rocless info [--device auto|PATH] [--json]`: marketing name, gfx target,
//! CUs, clocks, memory and every firmware version of one AMD GPU. The
//! gathering and printing live in `amdgpu_kmd::report`, so this works on any
//! `Driver`.

use amdgpu_kmd::report::DeviceReport;
use amdgpu_kmd::Device;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cmd {
    /// Device information (marketing name, gfx target, CUs, memory, firmware)
    Info {
        /// `auto` (first discrete AMD GPU, else an APU) or a render node path
        #[arg(long, default_value = "auto")]
        device: String,
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    let Cmd::Info { device, json } = cmd;
    let (dev, slot) = match device.as_str() {
        "auto" => {
            let (dev, node) = Device::open_auto()?;
            (dev, node.pci_slot)
        }
        "sim" => anyhow::bail!(
            "rocless info: --device sim is not wired up yet; use auto or a render node path"
        ),
        path => {
            let dev = match Device::open(path) {
                Err(e @ amdgpu_kmd::Error::Kmd(_)) => {
                    return Err(anyhow::Error::new(e)
                        .context(format!("{path} is not an amdgpu render node")))
                }
                r => r?,
            };
            (dev, None)
        }
    };
    let mut report = DeviceReport::gather(&dev);
    report.pci_slot = slot;
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}
