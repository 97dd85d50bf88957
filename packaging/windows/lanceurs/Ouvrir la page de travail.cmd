@echo off
rem Opens the work page on the agent's workspace (Documents\vif38-bilan, or %VIF38_ESPACE%),
rem creating it on first use. Closing this window stops the page.
setlocal
if not defined PYTHONPYCACHEPREFIX set "PYTHONPYCACHEPREFIX=%LOCALAPPDATA%\vif38-bilan\cache"
"%~dp0python\python.exe" -X utf8 -m vif38_bilan.cli.poste page
if errorlevel 1 pause
