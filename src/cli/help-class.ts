import { Help } from '@oclif/core/help';
import { helpScreen } from './help-screen.js';

/** oclif routes `-h`/`--help` here; aku answers with its own screen, not oclif's generated one. */
export default class AkuHelp extends Help {
  override async showHelp(): Promise<void> {
    this.log(helpScreen());
  }

  override async showCommandHelp(): Promise<void> {
    this.log(helpScreen());
  }
}
