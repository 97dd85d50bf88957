@echo off
rem A console where the command vif38-bilan is available (the Start-menu entry "Console").
set "PATH=%~dp0;%PATH%"
if not defined PYTHONPYCACHEPREFIX set "PYTHONPYCACHEPREFIX=%LOCALAPPDATA%\vif38-bilan\cache"
"%~dp0python\python.exe" -X utf8 -m vif38_bilan.cli.poste console
cmd /k
